using System.Text;

namespace Cetus.Api.Validation;

/// <summary>The sentences apimachinery's format checks are built from (util/validation).</summary>
internal static class ValidationText
{
    public static string MaxLen(int length) => $"must be no more than {length} characters";

    public static string Empty() => "must be non-empty";

    public static string InclusiveRange(long low, long high) => $"must be between {low} and {high}, inclusive";

    /// <summary>A regex failure with examples: <c>{message} (e.g. 'a' or 'b', regex used for validation is '{format}')</c>.</summary>
    public static string Regex(string message, string format, params string[] examples)
    {
        if (examples.Length == 0)
        {
            return message + " (regex used for validation is '" + format + "')";
        }

        var text = new StringBuilder(message).Append(" (e.g. ");
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0)
            {
                text.Append(" or ");
            }

            text.Append('\'').Append(examples[i]).Append("', ");
        }

        return text.Append("regex used for validation is '").Append(format).Append("')").ToString();
    }
}
