using System.Globalization;
using System.Text.RegularExpressions;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>
/// Reading <see cref="IntOrString"/>: the client model keeps one string, and writes it as a JSON number whenever it
/// parses as one, so a value that parses as an integer is the integer form.
/// </summary>
public static partial class IntOrStrings
{
    /// <summary>True when <paramref name="value"/> holds an integer (an absent value counts as 0).</summary>
    public static bool IsInt(IntOrString? value, out int number)
    {
        if (value?.Value is null or "")
        {
            number = 0;
            return value?.Value is null;
        }

        return int.TryParse(value.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>The value as Go's <c>%#v</c> prints an <c>intstr.IntOrString</c>.</summary>
    public static GoLiteral GoSyntax(IntOrString? value) => IsInt(value, out var number)
        ? new GoLiteral($"intstr.IntOrString{{Type:0, IntVal:{number}, StrVal:\"\"}}")
        : new GoLiteral($"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{GoText.Quote(value?.Value ?? "")}}}");

    /// <summary>apps validation's <c>ValidatePositiveIntOrPercent</c>: a whole number of at least 0, or a percentage such as "25%".</summary>
    public static IEnumerable<FieldError> PositiveIntOrPercent(IntOrString? value, FieldPath path)
    {
        if (IsInt(value, out var number))
        {
            return FieldErrors.NonNegative(number, path);
        }

        return PercentFormat().IsMatch(value?.Value ?? "")
            ? []
            : [FieldErrors.Invalid(path, GoSyntax(value), ValidationText.Regex("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%", "1%", "93%"))];
    }

    /// <summary>apps validation's <c>IsNotMoreThan100Percent</c>: a percentage over 100% is refused (numbers are not).</summary>
    public static IEnumerable<FieldError> NotMoreThan100Percent(IntOrString? value, FieldPath path) =>
        Percent(value) > 100 ? [FieldErrors.Invalid(path, GoSyntax(value), "must not be greater than 100%")] : [];

    /// <summary>The number, or the percentage's number, or 0 when it is neither.</summary>
    public static long ValueOrPercent(IntOrString? value) => IsInt(value, out var number) ? number : Percent(value) ?? 0;

    /// <summary>The percentage of a well-formed "N%" value; null for a number or a malformed value.</summary>
    public static long? Percent(IntOrString? value) =>
        !IsInt(value, out _) && PercentFormat().IsMatch(value?.Value ?? "") && long.TryParse(value!.Value[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var percent)
            ? percent
            : null;

    [GeneratedRegex("^[0-9]+%\\z", RegexOptions.CultureInvariant)]
    private static partial Regex PercentFormat();
}
