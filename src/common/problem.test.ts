import { describe, expect, it } from 'vitest';
import {
  countProblems,
  errorMessage,
  errorStack,
  fail,
  fieldProblem,
  ok,
  problem,
  ProblemError,
  renderProblem,
  renderProblems,
  unwrap,
  valueProblem,
} from './problem';

describe('Problem', () => {
  it('renders where and message', () => {
    expect(renderProblem(problem('--admin-port', 'given twice'))).toBe('--admin-port: given twice');
  });

  it('renders the accepted form after the message', () => {
    expect(renderProblem(problem('spec.listeners[0].portMapping.port', 'got 0', 'an integer from 1 to 65535'))).toBe(
      'spec.listeners[0].portMapping.port: got 0; expected an integer from 1 to 65535',
    );
  });

  it('renders a value problem as NAME="seen": expected <accepted>', () => {
    const p = valueProblem('RELAY_STREAM_IDLE_TIMEOUT', 'forever', 'a duration such as 300s');
    expect(p).toEqual({ where: 'RELAY_STREAM_IDLE_TIMEOUT', seen: 'forever', message: '', accepted: 'a duration such as 300s' });
    expect(renderProblem(p)).toBe('RELAY_STREAM_IDLE_TIMEOUT="forever": expected a duration such as 300s');
    expect(renderProblem(valueProblem('X', 'a"b', 'c'))).toBe('X="a\\"b": expected c');
  });

  it('builds a field problem from a label and a path', () => {
    expect(fieldProblem('spec.x', 'required', 'virtualNodes[0] (virtual node "a")')).toEqual({
      where: 'virtualNodes[0] (virtual node "a"): spec.x',
      message: 'required',
    });
    expect(renderProblem(fieldProblem('', 'duplicate', 'meshes[1]'))).toBe('meshes[1]: duplicate');
    expect(renderProblem(fieldProblem('spec', 'required'))).toBe('spec: required');
    expect(renderProblem(fieldProblem('', 'bad document'))).toBe('bad document');
  });

  it('leaves out an absent accepted form', () => {
    expect(problem('a', 'b')).toEqual({ where: 'a', message: 'b' });
    expect('accepted' in problem('a', 'b')).toBe(false);
  });

  it('renders a list in order and counts problems', () => {
    expect(renderProblems([problem('a', 'x'), problem('b', 'y')])).toEqual(['a: x', 'b: y']);
    expect(countProblems(1)).toBe('1 problem');
    expect(countProblems(3)).toBe('3 problems');
  });
});

describe('Result', () => {
  it('wraps a value or problems', () => {
    expect(ok(5)).toEqual({ ok: true, value: 5 });
    expect(fail(problem('a', 'b'))).toEqual({ ok: false, problems: [{ where: 'a', message: 'b' }] });
    expect(fail([problem('a', 'b'), problem('c', 'd')])).toEqual({
      ok: false,
      problems: [
        { where: 'a', message: 'b' },
        { where: 'c', message: 'd' },
      ],
    });
  });

  it('unwraps an ok result and throws a ProblemError listing every problem otherwise', () => {
    expect(unwrap(ok('v'))).toBe('v');
    let thrown: unknown;
    try {
      unwrap(fail([problem('a', 'b'), valueProblem('N', 'v', 'w')]), 'invalid thing');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ProblemError);
    expect((thrown as ProblemError).problems).toHaveLength(2);
    expect((thrown as ProblemError).message).toBe('invalid thing (2 problems):\n  a: b\n  N="v": expected w');
  });
});

describe('errorMessage', () => {
  it('gives an Error its message and anything else its string form', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
    expect(errorStack(new Error('s'))).toMatch(/^Error: s\n\s+at /);
    expect(errorStack(7)).toBe('7');
  });
});
