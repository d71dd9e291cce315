import { describe, expect, it } from 'vitest';
import { ADS_SERVICE, AdsPath, TypeUrl, WILDCARD_TYPES, classifyRequest, knownShortName } from '../../src/common/xds/vocabulary';

describe('the xDS vocabulary', () => {
  it('spells the wire values as Envoy does', () => {
    expect(TypeUrl.Cluster).toBe('type.googleapis.com/envoy.config.cluster.v3.Cluster');
    expect(TypeUrl.Secret).toBe('type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret');
    expect(AdsPath.sotw).toBe('/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources');
    expect(AdsPath.delta).toBe(`/${ADS_SERVICE}/DeltaAggregatedResources`);
    expect([...WILDCARD_TYPES].sort()).toEqual([TypeUrl.Cluster, TypeUrl.Listener]);
    expect(knownShortName(TypeUrl.ClusterLoadAssignment)).toBe('EDS');
    expect(knownShortName('type.googleapis.com/envoy.config.route.v3.VirtualHost')).toBeUndefined();
  });

  it('classifies a request: error_detail is a NACK with or without a nonce, else no nonce subscribes, else ACK', () => {
    expect(classifyRequest({ responseNonce: '', hasErrorDetail: false })).toBe('subscribe');
    expect(classifyRequest({ responseNonce: 'n1', hasErrorDetail: false })).toBe('ack');
    expect(classifyRequest({ responseNonce: 'n1', hasErrorDetail: true })).toBe('nack');
    expect(classifyRequest({ responseNonce: '', hasErrorDetail: true })).toBe('nack');
  });
});
