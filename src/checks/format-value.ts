// How a check's value is shown to humans (alert texts, tables): short, never in a
// float's full 17 digits. Values of 1 and above keep up to 4 decimals; smaller ones
// keep 4 significant digits, so 0.00001234 (an error ratio) does not collapse to 0.

export function formatValue(value: number | null): string {
  if (value === null) return 'no data';
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return '0'; // also turns -0 into 0
  if (Number.isInteger(value)) return String(value);
  const rounded = Math.abs(value) >= 1 ? Number(value.toFixed(4)) : Number(value.toPrecision(4));
  return String(rounded);
}
