using System.Globalization;
using System.Text;

namespace Cetus.Api.Selectors;

/// <summary>
/// Renders error messages the way apimachinery's field.Error and utilerrors.Aggregate do, so selector errors read
/// exactly like kube-apiserver's: <c>path: Invalid value: "v": detail</c>, several of them as <c>[a, b]</c>.
/// </summary>
internal static class GoErrorFormat
{
    /// <summary>What field.Path prints for a nil path: the parser validates keys with no path at all.</summary>
    public const string NilPath = "<nil>";

    public static string Invalid(string path, string renderedValue, string detail) =>
        $"{path}: Invalid value: {renderedValue}: {detail}";

    public static string Aggregate(IReadOnlyList<string> messages)
    {
        var distinct = messages.Distinct(StringComparer.Ordinal).ToList();
        return distinct.Count == 1 ? distinct[0] : "[" + string.Join(", ", distinct) + "]";
    }

    /// <summary>Go's <c>%q</c> of a string.</summary>
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\a': builder.Append("\\a"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\v': builder.Append("\\v"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>Go's <c>%#v</c> of a []string; an empty one is the nil slice metav1.LabelSelectorAsSelector passes.</summary>
    public static string StringSlice(IReadOnlyList<string> values) =>
        values.Count == 0 ? "[]string(nil)" : "[]string{" + string.Join(", ", values.Select(Quote)) + "}";
}
