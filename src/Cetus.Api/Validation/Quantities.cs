using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>Resource quantities: their canonical text, comparison and sign.</summary>
internal static class Quantities
{
    /// <summary>The canonical text Go's <c>Quantity.String()</c> prints (the client mangles negative values, so those are built from the magnitude).</summary>
    public static string Text(ResourceQuantity quantity)
    {
        var value = quantity.ToDecimal();
        if (value >= 0)
        {
            return quantity.CanonicalizeString();
        }

        var text = quantity.ToString() ?? "";
        var magnitude = text.StartsWith('-') ? new ResourceQuantity(text[1..]) : new ResourceQuantity(-value, 0, quantity.Format);
        return "-" + magnitude.CanonicalizeString();
    }

    /// <summary>Compares two quantities by value.</summary>
    public static int Compare(ResourceQuantity a, ResourceQuantity b) => a.ToDecimal().CompareTo(b.ToDecimal());

    /// <summary>True for a value above zero.</summary>
    public static bool IsPositive(ResourceQuantity? quantity) => quantity is not null && quantity.ToDecimal() > 0;
}
