import type { z } from 'zod';

/** One entry of a fal model error's `detail` array (pydantic's shape). */
export interface ErrorDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

const typeNames: Record<string, { type: string; noun: string }> = {
  string: { type: 'string_type', noun: 'a valid string' },
  number: { type: 'float_type', noun: 'a valid number' },
  int: { type: 'int_type', noun: 'a valid integer' },
  boolean: { type: 'bool_type', noun: 'a valid boolean' },
  array: { type: 'list_type', noun: 'a valid list' },
  object: { type: 'dict_type', noun: 'a valid dictionary' },
};

/** Turns zod issues into the 422 `detail` fal's pydantic models answer with. */
export function errorDetails(issues: readonly z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.map((issue) => {
    const loc = ['body', ...issue.path.map((key) => (typeof key === 'number' ? key : String(key)))];
    switch (issue.code) {
      case 'invalid_type': {
        if (issue.input === undefined) return { loc, msg: 'Field required', type: 'missing' };
        const name = typeNames[issue.expected] ?? { type: 'value_error', noun: `a valid ${issue.expected}` };
        return { loc, msg: `Input should be ${name.noun}`, type: name.type };
      }
      case 'too_small':
        return { loc, msg: `Input should be greater than or equal to ${issue.minimum}`, type: 'greater_than_equal' };
      case 'too_big':
        return { loc, msg: `Input should be less than or equal to ${issue.maximum}`, type: 'less_than_equal' };
      case 'invalid_value': {
        const options = issue.values.map((value) => `'${String(value)}'`);
        const listed = options.length > 1 ? `${options.slice(0, -1).join(', ')} or ${options.at(-1)}` : options.join('');
        return { loc, msg: `Input should be ${listed}`, type: 'literal_error' };
      }
      default:
        return { loc, msg: issue.message, type: 'value_error' };
    }
  });
}
