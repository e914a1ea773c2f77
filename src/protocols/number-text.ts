// The text of a number as the metric protocols accept it: decimal digits with an optional sign,
// point and exponent (`1`, `-2.5`, `.5`, `3.`, `1e-3`); no blanks, hex, `Infinity` or `NaN`.

/** A whole string that is a decimal number (no surrounding blanks: trim first where they are allowed). */
export const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
