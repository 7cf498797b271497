using System.Globalization;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>
/// Reading <see cref="IntOrString"/>: the client model keeps one string, and writes it as a JSON number whenever it
/// parses as one, so a value that parses as an integer is the integer form.
/// </summary>
internal static class IntOrStrings
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
}
