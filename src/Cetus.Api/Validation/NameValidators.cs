namespace Cetus.Api.Validation;

/// <summary>
/// Checks an object name (or, with <c>prefix</c> true, a <c>generateName</c> to which random characters are appended)
/// and returns what is wrong with it.
/// </summary>
public delegate IReadOnlyList<string> NameValidator(string name, bool prefix);

/// <summary>The name rules of the kinds (apimachinery's <c>NameIsDNSSubdomain</c>, <c>NameIsDNSLabel</c>, <c>NameIsDNS1035Label</c>).</summary>
public static class NameValidators
{
    /// <summary>Most kinds: an RFC 1123 subdomain.</summary>
    public static readonly NameValidator DnsSubdomain = (name, prefix) => DnsNames.IsDns1123Subdomain(Mask(name, prefix));

    /// <summary>Namespaces: an RFC 1123 label.</summary>
    public static readonly NameValidator DnsLabel = (name, prefix) => DnsNames.IsDns1123Label(Mask(name, prefix));

    /// <summary>Services: an RFC 1035 label (it becomes a DNS name and environment variable prefix).</summary>
    public static readonly NameValidator Dns1035Label = (name, prefix) => DnsNames.IsDns1035Label(Mask(name, prefix));

    // A generateName may end in '-': the generated suffix follows it, so check it as if it ended in a letter.
    private static string Mask(string name, bool prefix) => prefix && name.EndsWith('-') ? name[..^1] + "a" : name;
}
