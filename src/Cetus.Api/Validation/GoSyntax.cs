using System.Globalization;
using System.Text;
using k8s.Models;

namespace Cetus.Api.Validation;

/// <summary>Values printed as Go's <c>%#v</c> (or a type's <c>String()</c>) prints them in kube-apiserver's messages.</summary>
internal static class GoSyntax
{
    /// <summary>A nil pointer, printed as ErrorBody prints one.</summary>
    public static readonly GoLiteral Null = new(GoText.Value(null));

    /// <summary><c>map[string]string{"a":"b", "c":"d"}</c>, keys sorted as fmt sorts them; <c>map[string]string(nil)</c> for null.</summary>
    public static GoLiteral StringMap(IDictionary<string, string>? map)
    {
        if (map is null)
        {
            return new GoLiteral("map[string]string(nil)");
        }

        var entries = map.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => GoText.Quote(e.Key) + ":" + GoText.Quote(e.Value));
        return new GoLiteral("map[string]string{" + string.Join(", ", entries) + "}");
    }

    /// <summary><c>[]string{"a", "b"}</c>; <c>[]string(nil)</c> for null.</summary>
    public static GoLiteral StringSlice(IEnumerable<string>? items) => items is null
        ? new GoLiteral("[]string(nil)")
        : new GoLiteral("[]string{" + string.Join(", ", items.Select(GoText.Quote)) + "}");

    /// <summary>A <c>metav1.LabelSelector</c> as <c>%#v</c> prints it.</summary>
    public static GoLiteral LabelSelector(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return Null;
        }

        var expressions = selector.MatchExpressions is null
            ? "[]v1.LabelSelectorRequirement(nil)"
            : "[]v1.LabelSelectorRequirement{" + string.Join(", ", selector.MatchExpressions.Select(r =>
                $"v1.LabelSelectorRequirement{{Key:{GoText.Quote(r.Key ?? "")}, Operator:{GoText.Quote(r.OperatorProperty ?? "")}, Values:{StringSlice(r.Values).Text}}}")) + "}";
        return new GoLiteral($"v1.LabelSelector{{MatchLabels:{StringMap(selector.MatchLabels).Text}, MatchExpressions:{expressions}}}");
    }

    /// <summary>A time as Go's <c>time.Time.String()</c> prints it in UTC: <c>2024-05-01 10:00:00 +0000 UTC</c>.</summary>
    public static GoLiteral Time(DateTime? time)
    {
        if (time is null)
        {
            return Null;
        }

        var utc = time.Value.Kind == DateTimeKind.Local ? time.Value.ToUniversalTime() : time.Value;
        var text = new StringBuilder(utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        var fraction = utc.Ticks % TimeSpan.TicksPerSecond;
        if (fraction != 0)
        {
            text.Append('.').Append((fraction * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        return new GoLiteral(text.Append(" +0000 UTC").ToString());
    }

    /// <summary>A core <c>ObjectReference</c> as <c>%#v</c> prints it.</summary>
    public static GoLiteral ObjectReference(V1ObjectReference? reference) => reference is null
        ? Null
        : new GoLiteral(
            $"core.ObjectReference{{Kind:{Q(reference.Kind)}, Namespace:{Q(reference.NamespaceProperty)}, Name:{Q(reference.Name)}, UID:{Q(reference.Uid)}, " +
            $"APIVersion:{Q(reference.ApiVersion)}, ResourceVersion:{Q(reference.ResourceVersion)}, FieldPath:{Q(reference.FieldPath)}}}");

    /// <summary>A core <c>EventSource</c> as <c>%#v</c> prints it.</summary>
    public static GoLiteral EventSource(V1EventSource? source) =>
        new($"core.EventSource{{Component:{Q(source?.Component)}, Host:{Q(source?.Host)}}}");

    private static string Q(string? value) => GoText.Quote(value ?? "");
}
