using System.Globalization;
using System.Text;

namespace Cetus.Api.Selectors;

/// <summary>
/// Backslash escaping of field selector values (fields.EscapeValue / UnescapeValue): <c>\\</c>, <c>\,</c> and
/// <c>\=</c> are the only escapes, and a bare <c>,</c> or <c>=</c> in a value is an error.
/// </summary>
internal static class FieldSelectorEscaping
{
    public static string Escape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace(",", "\\,", StringComparison.Ordinal)
            .Replace("=", "\\=", StringComparison.Ordinal);

    /// <exception cref="SelectorException">An unknown escape, a trailing backslash, or a bare <c>,</c> or <c>=</c>.</exception>
    public static string Unescape(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', ',', '=') < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        var escaping = false;
        foreach (var c in value)
        {
            if (escaping)
            {
                if (c is not ('\\' or ',' or '='))
                {
                    throw new SelectorException("invalid field selector: invalid escape sequence: \\" + c);
                }

                builder.Append(c);
                escaping = false;
                continue;
            }

            switch (c)
            {
                case '\\':
                    escaping = true;
                    break;
                case ',' or '=':
                    // Upstream prints the rune with %v, i.e. as its code point: 44 for ',' and 61 for '='.
                    throw new SelectorException("invalid field selector: unescaped character in value: " + ((int)c).ToString(CultureInfo.InvariantCulture));
                default:
                    builder.Append(c);
                    break;
            }
        }

        if (escaping)
        {
            throw new SelectorException("invalid field selector: invalid escape sequence: \\");
        }

        return builder.ToString();
    }
}
