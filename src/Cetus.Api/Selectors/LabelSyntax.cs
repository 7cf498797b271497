using System.Text.RegularExpressions;

namespace Cetus.Api.Selectors;

/// <summary>
/// The syntax of label keys and values (apimachinery's validation.IsQualifiedName and IsValidLabelValue), with their
/// messages word for word: they end up in the 400 the API server returns for a bad selector.
/// </summary>
internal static partial class LabelSyntax
{
    private const int NameMaxLength = 63;
    private const int SubdomainMaxLength = 253;
    private const string QualifiedNameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string LabelValueFormat = "(" + QualifiedNameFormat + ")?";
    private const string SubdomainFormat = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

    private const string QualifiedNameMessage =
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    private const string LabelValueMessage =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    private const string SubdomainMessage =
        "a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

    /// <summary>What is wrong with a label key (optional DNS subdomain prefix, '/', a name of at most 63 characters); empty when valid.</summary>
    public static List<string> KeyErrors(string key)
    {
        var errors = new List<string>();
        var parts = key.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                var prefix = parts[0];
                name = parts[1];
                if (prefix.Length == 0)
                {
                    errors.Add("prefix part must be non-empty");
                }
                else
                {
                    errors.AddRange(SubdomainErrors(prefix).Select(e => "prefix part " + e));
                }

                break;
            default:
                errors.Add("a qualified name " + RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc") +
                    " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errors;
        }

        if (name.Length == 0)
        {
            errors.Add("name part must be non-empty");
        }
        else if (name.Length > NameMaxLength)
        {
            errors.Add("name part " + MaxLengthError(NameMaxLength));
        }

        if (!QualifiedName().IsMatch(name))
        {
            errors.Add("name part " + RegexError(QualifiedNameMessage, QualifiedNameFormat, "MyName", "my.name", "123-abc"));
        }

        return errors;
    }

    /// <summary>What is wrong with a label value (empty, or at most 63 characters of the name syntax); empty when valid.</summary>
    public static List<string> ValueErrors(string value)
    {
        var errors = new List<string>();
        if (value.Length > NameMaxLength)
        {
            errors.Add(MaxLengthError(NameMaxLength));
        }

        if (!LabelValue().IsMatch(value))
        {
            errors.Add(RegexError(LabelValueMessage, LabelValueFormat, "MyValue", "my_value", "12345"));
        }

        return errors;
    }

    private static List<string> SubdomainErrors(string value)
    {
        var errors = new List<string>();
        if (value.Length > SubdomainMaxLength)
        {
            errors.Add(MaxLengthError(SubdomainMaxLength));
        }

        if (!Subdomain().IsMatch(value))
        {
            errors.Add(RegexError(SubdomainMessage, SubdomainFormat, "example.com"));
        }

        return errors;
    }

    private static string MaxLengthError(int length) => $"must be no more than {length} characters";

    // Upstream's examples carry a doubled space ("'MyName',  or 'my.name'"); kept, since clients may match the text.
    private static string RegexError(string message, string format, params string[] examples) =>
        message + " (e.g. " + string.Join(" or ", examples.Select(e => "'" + e + "', ")) + "regex used for validation is '" + format + "')";

    // \z, not $: Go's $ never matches before a trailing newline, .NET's does.
    [GeneratedRegex("^" + QualifiedNameFormat + @"\z", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedName();

    [GeneratedRegex("^" + LabelValueFormat + @"\z", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValue();

    [GeneratedRegex("^" + SubdomainFormat + @"\z", RegexOptions.CultureInvariant)]
    private static partial Regex Subdomain();
}
