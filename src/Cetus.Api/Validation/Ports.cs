using System.Text.RegularExpressions;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>Port numbers and IANA service names (util/validation).</summary>
internal static partial class Ports
{
    /// <summary>What is wrong with a port number (empty when nothing).</summary>
    public static IReadOnlyList<string> CheckNumber(long port) =>
        port is >= 1 and <= 65535 ? [] : [ValidationText.InclusiveRange(1, 65535)];

    /// <summary>What is wrong with a port name: at most 15 of [-a-z0-9], a letter, no "--", no leading or trailing '-'.</summary>
    public static IReadOnlyList<string> CheckName(string port)
    {
        var errors = new List<string>();
        if (port.Length > 15)
        {
            errors.Add(ValidationText.MaxLen(15));
        }

        if (!Charset().IsMatch(port))
        {
            errors.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }

        if (!port.Any(c => c is >= 'a' and <= 'z'))
        {
            errors.Add("must contain at least one letter (a-z)");
        }

        if (port.Contains("--", StringComparison.Ordinal))
        {
            errors.Add("must not contain consecutive hyphens");
        }

        if (port.Length > 0 && (port[0] == '-' || port[^1] == '-'))
        {
            errors.Add("must not begin or end with a hyphen");
        }

        return errors;
    }

    /// <summary>A port given by number or by name (a probe's or a service's target port).</summary>
    public static IEnumerable<Scheme.FieldError> CheckNumberOrName(IntOrString? port, FieldPath path)
    {
        if (IntOrStrings.IsInt(port, out var number))
        {
            return CheckNumber(number).Select(m => FieldErrors.Invalid(path, number, m));
        }

        var name = port?.Value ?? "";
        return CheckName(name).Select(m => FieldErrors.Invalid(path, name, m));
    }

    [GeneratedRegex("^[-a-z0-9]+\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Charset();
}
