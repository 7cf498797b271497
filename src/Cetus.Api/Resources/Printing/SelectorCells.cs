using Cetus.Api.Selectors;
using k8s.Models;

namespace Cetus.Api.Resources.Printing;

/// <summary>Selectors as Table cells, with upstream's placeholders for empty and broken ones.</summary>
internal static class SelectorCells
{
    public const string None = "<none>";

    /// <summary>A label map as <c>a=b,c=d</c> sorted by key, or <c>&lt;none&gt;</c> (labels.FormatLabels).</summary>
    public static string FormatLabels(IDictionary<string, string>? labels)
    {
        var text = LabelSelector.FromSet(labels).ToString();
        return text.Length == 0 ? None : text;
    }

    /// <summary>A label selector, <c>&lt;none&gt;</c> when it selects everything or nothing, <c>&lt;error&gt;</c> when invalid (metav1.FormatLabelSelector).</summary>
    public static string FormatLabelSelector(V1LabelSelector? selector)
    {
        if (!TryFormat(selector, out var text))
        {
            return "<error>";
        }

        return text.Length == 0 ? None : text;
    }

    /// <summary>A label selector, empty when it selects everything or nothing, <c>&lt;invalid&gt;</c> when invalid (printDeployment's own rule).</summary>
    public static string SelectorString(V1LabelSelector? selector) => TryFormat(selector, out var text) ? text : "<invalid>";

    private static bool TryFormat(V1LabelSelector? selector, out string text)
    {
        try
        {
            text = LabelSelector.FromLabelSelector(selector).ToString();
            return true;
        }
        catch (SelectorException)
        {
            text = string.Empty;
            return false;
        }
    }
}
