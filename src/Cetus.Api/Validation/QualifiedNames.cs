using System.Text;
using System.Text.RegularExpressions;

namespace Cetus.Api.Validation;

/// <summary>Qualified names (label and annotation keys, finalizers) and label values, as util/validation checks them.</summary>
public static partial class QualifiedNames
{
    /// <summary>The longest name part of a qualified name, and the longest label value.</summary>
    public const int MaxLength = 63;

    private const string NameFormat = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string NameMessage = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string ValueFormat = "(" + NameFormat + ")?";
    private const string ValueMessage = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    /// <summary>
    /// What is wrong with <paramref name="value"/> as a qualified name: an optional DNS subdomain prefix and '/',
    /// then a name of at most 63 characters (empty when nothing).
    /// </summary>
    public static IReadOnlyList<string> IsQualifiedName(string value)
    {
        var errors = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                name = parts[1];
                if (parts[0].Length == 0)
                {
                    errors.Add("prefix part " + ValidationText.Empty());
                }
                else
                {
                    errors.AddRange(DnsNames.IsDns1123Subdomain(parts[0]).Select(m => "prefix part " + m));
                }

                break;
            default:
                errors.Add("a qualified name " + ValidationText.Regex(NameMessage, NameFormat, "MyName", "my.name", "123-abc") +
                    " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
                return errors;
        }

        if (name.Length == 0)
        {
            errors.Add("name part " + ValidationText.Empty());
        }
        else if (Encoding.UTF8.GetByteCount(name) > MaxLength)
        {
            errors.Add("name part " + ValidationText.MaxLen(MaxLength));
        }

        if (!Name().IsMatch(name))
        {
            errors.Add("name part " + ValidationText.Regex(NameMessage, NameFormat, "MyName", "my.name", "123-abc"));
        }

        return errors;
    }

    /// <summary>What is wrong with <paramref name="value"/> as a label value (empty when nothing).</summary>
    public static IReadOnlyList<string> IsLabelValue(string value)
    {
        var errors = new List<string>();
        if (Encoding.UTF8.GetByteCount(value) > MaxLength)
        {
            errors.Add(ValidationText.MaxLen(MaxLength));
        }

        if (!LabelValue().IsMatch(value))
        {
            errors.Add(ValidationText.Regex(ValueMessage, ValueFormat, "MyValue", "my_value", "12345"));
        }

        return errors;
    }

    [GeneratedRegex("^" + NameFormat + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Name();

    [GeneratedRegex("^" + ValueFormat + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValue();
}
