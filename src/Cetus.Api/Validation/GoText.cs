using System.Globalization;
using System.Text;

namespace Cetus.Api.Validation;

/// <summary>
/// A value printed as Go source text (what <c>%#v</c> prints for structs, maps and slices), passed to
/// <see cref="FieldErrors"/> so that the message shows the value the way kube-apiserver does.
/// </summary>
/// <param name="Text">The text, used as is.</param>
public sealed record GoLiteral(string Text);

/// <summary>How a bad value is printed in a field error, following apimachinery's <c>ErrorBody</c>.</summary>
internal static class GoText
{
    /// <summary>
    /// Strings are quoted (<c>%q</c>), numbers and booleans printed plainly, <see cref="GoLiteral"/> text as given, and
    /// null as the quoted string <c>"null"</c> (apimachinery substitutes that string before quoting).
    /// </summary>
    public static string Value(object? value) => value switch
    {
        null => "\"null\"",
        string s => Quote(s),
        bool b => b ? "true" : "false",
        GoLiteral literal => literal.Text,
        IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };

    /// <summary>Quotes a string as Go's <c>strconv.Quote</c> does.</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\a': text.Append("\\a"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case '\v': text.Append("\\v"); break;
                default:
                    if (rune.Value < 0x20 || rune.Value == 0x7f)
                    {
                        text.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
                    }
                    else if (Rune.IsControl(rune) || rune.Value == 0xfffd)
                    {
                        text.Append(rune.Value > 0xffff
                            ? string.Create(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}")
                            : string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}"));
                    }
                    else
                    {
                        text.Append(rune.ToString());
                    }

                    break;
            }
        }

        return text.Append('"').ToString();
    }
}
