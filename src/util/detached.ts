/**
 * A copy of `text` that does not keep the string it was cut from alive. V8 makes a slice of 13 characters or
 * more a view into its source: a value read from a presence frame would retain the whole frame, and a log
 * entry cut from a large frame the whole frame (issues 15 and 16). Joining flattens into a new string; a slice
 * of that one keeps only the copy.
 */
export const detached = (text: string): string => (text.length < 13 ? text : `${text} `.slice(0, -1));
