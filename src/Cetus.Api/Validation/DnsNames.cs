using System.Text;
using System.Text.RegularExpressions;

namespace Cetus.Api.Validation;

/// <summary>The DNS name formats of util/validation: RFC 1123 labels and subdomains, RFC 1035 labels.</summary>
public static partial class DnsNames
{
    /// <summary>The longest RFC 1123 or RFC 1035 label.</summary>
    public const int LabelMaxLength = 63;

    /// <summary>The longest RFC 1123 subdomain.</summary>
    public const int SubdomainMaxLength = 253;

    private const string LabelFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string SubdomainFormat = LabelFormat + "(\\." + LabelFormat + ")*";
    private const string Dns1035Format = "[a-z]([-a-z0-9]*[a-z0-9])?";

    private const string LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    private const string SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private const string Dns1035Message = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

    /// <summary>What is wrong with <paramref name="value"/> as an RFC 1123 label (empty when nothing).</summary>
    public static IReadOnlyList<string> IsDns1123Label(string value)
    {
        var errors = new List<string>();
        if (Encoding.UTF8.GetByteCount(value) > LabelMaxLength)
        {
            errors.Add(ValidationText.MaxLen(LabelMaxLength));
        }

        if (!Label().IsMatch(value))
        {
            // A valid subdomain that is not a label can only be wrong by its dots; say so plainly.
            errors.Add(Subdomain().IsMatch(value) ? "must not contain dots" : ValidationText.Regex(LabelMessage, LabelFormat, "my-name", "123-abc"));
        }

        return errors;
    }

    /// <summary>What is wrong with <paramref name="value"/> as an RFC 1123 subdomain (empty when nothing).</summary>
    public static IReadOnlyList<string> IsDns1123Subdomain(string value)
    {
        var errors = new List<string>();
        if (Encoding.UTF8.GetByteCount(value) > SubdomainMaxLength)
        {
            errors.Add(ValidationText.MaxLen(SubdomainMaxLength));
        }

        if (!Subdomain().IsMatch(value))
        {
            errors.Add(ValidationText.Regex(SubdomainMessage, SubdomainFormat, "example.com"));
        }

        return errors;
    }

    /// <summary>What is wrong with <paramref name="value"/> as an RFC 1035 label (empty when nothing).</summary>
    public static IReadOnlyList<string> IsDns1035Label(string value)
    {
        var errors = new List<string>();
        if (Encoding.UTF8.GetByteCount(value) > LabelMaxLength)
        {
            errors.Add(ValidationText.MaxLen(LabelMaxLength));
        }

        if (!Dns1035().IsMatch(value))
        {
            errors.Add(ValidationText.Regex(Dns1035Message, Dns1035Format, "my-name", "abc-123"));
        }

        return errors;
    }

    [GeneratedRegex("^" + LabelFormat + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Label();

    [GeneratedRegex("^" + SubdomainFormat + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Subdomain();

    [GeneratedRegex("^" + Dns1035Format + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1035();
}
