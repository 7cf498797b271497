using System.Text;
using System.Text.RegularExpressions;

namespace Cetus.Api.Validation;

/// <summary>Keys of ConfigMap and Secret data (they become file names in volumes).</summary>
internal static partial class ConfigMapKeys
{
    private const string Format = "[-._a-zA-Z0-9]+";
    private const string Message = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";

    /// <summary>What is wrong with <paramref name="value"/> as a data key (empty when nothing).</summary>
    public static IReadOnlyList<string> Check(string value)
    {
        var errors = new List<string>();
        if (Encoding.UTF8.GetByteCount(value) > DnsNames.SubdomainMaxLength)
        {
            errors.Add(ValidationText.MaxLen(DnsNames.SubdomainMaxLength));
        }

        if (!Key().IsMatch(value))
        {
            errors.Add(ValidationText.Regex(Message, Format, "key.name", "KEY_NAME", "key-name"));
        }

        errors.AddRange(DirectoryPrefixes(value));
        return errors;
    }

    /// <summary>Names that would step out of the directory they are written to.</summary>
    public static IEnumerable<string> DirectoryPrefixes(string value)
    {
        if (value == ".")
        {
            yield return "must not be '.'";
        }
        else if (value == "..")
        {
            yield return "must not be '..'";
        }
        else if (value.StartsWith("..", StringComparison.Ordinal))
        {
            yield return "must not start with '..'";
        }
    }

    [GeneratedRegex("^" + Format + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Key();
}
