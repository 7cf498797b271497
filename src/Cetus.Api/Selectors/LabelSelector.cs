using k8s.Models;

namespace Cetus.Api.Selectors;

/// <summary>
/// A label selector: requirements that must all hold (labels.Selector). Built from the <c>?labelSelector=</c> string,
/// from a <see cref="V1LabelSelector"/> in an object's spec, or from a plain map such as a Service's selector.
/// </summary>
public sealed class LabelSelector
{
    private readonly LabelRequirement[] _requirements;
    private readonly bool _matchesNothing;

    private LabelSelector(IEnumerable<LabelRequirement> requirements, bool matchesNothing)
    {
        // Sorted by key like upstream, so the selector prints the same whatever order it was written in.
        _requirements = requirements.OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        _matchesNothing = matchesNothing;
    }

    /// <summary>The selector that matches every object.</summary>
    public static LabelSelector Everything { get; } = new([], matchesNothing: false);

    /// <summary>The selector that matches no object (what a null <see cref="V1LabelSelector"/> selects).</summary>
    public static LabelSelector Nothing { get; } = new([], matchesNothing: true);

    /// <summary>The requirements, sorted by key.</summary>
    public IReadOnlyList<LabelRequirement> Requirements => _requirements;

    /// <summary>True when the selector does not restrict anything, so it matches every object.</summary>
    public bool IsEmpty => !_matchesNothing && _requirements.Length == 0;

    /// <summary>True for <see cref="Nothing"/>.</summary>
    public bool MatchesNothing => _matchesNothing;

    /// <summary>
    /// Parses the string form of <c>?labelSelector=</c>: comma-separated requirements <c>k=v</c>, <c>k==v</c>,
    /// <c>k!=v</c>, <c>k in (a,b)</c>, <c>k notin (a,b)</c>, <c>k</c>, <c>!k</c>, <c>k&gt;1</c>, <c>k&lt;1</c>.
    /// Null, empty or blank is <see cref="Everything"/>.
    /// </summary>
    /// <exception cref="SelectorException">The selector does not parse; the message is kube-apiserver's.</exception>
    public static LabelSelector Parse(string? selector) =>
        string.IsNullOrEmpty(selector) ? Everything : new(LabelSelectorParser.Parse(selector), matchesNothing: false);

    /// <summary>
    /// The selector of a <see cref="V1LabelSelector"/> (metav1.LabelSelectorAsSelector): matchLabels as equalities,
    /// matchExpressions with In, NotIn, Exists and DoesNotExist. Null selects nothing; empty selects everything.
    /// </summary>
    /// <exception cref="SelectorException">A key, value or operator is invalid; the message is Kubernetes'.</exception>
    public static LabelSelector FromLabelSelector(V1LabelSelector? selector)
    {
        if (selector is null)
        {
            return Nothing;
        }

        if ((selector.MatchLabels?.Count ?? 0) + (selector.MatchExpressions?.Count ?? 0) == 0)
        {
            return Everything;
        }

        var requirements = new List<LabelRequirement>();
        foreach (var (key, value) in selector.MatchLabels ?? new Dictionary<string, string>())
        {
            requirements.Add(LabelRequirement.Create(key, SelectorOperator.Equal, [value]));
        }

        foreach (var expression in selector.MatchExpressions ?? [])
        {
            var op = expression.OperatorProperty switch
            {
                "In" => SelectorOperator.In,
                "NotIn" => SelectorOperator.NotIn,
                "Exists" => SelectorOperator.Exists,
                "DoesNotExist" => SelectorOperator.DoesNotExist,
                _ => throw new SelectorException(GoErrorFormat.Quote(expression.OperatorProperty ?? string.Empty) + " is not a valid label selector operator"),
            };
            requirements.Add(LabelRequirement.Create(expression.Key ?? string.Empty, op, expression.Values ?? []));
        }

        return new(requirements, matchesNothing: false);
    }

    /// <summary>
    /// The selector requiring every label of <paramref name="labels"/> (labels.SelectorFromSet), e.g. a Service's or a
    /// ReplicationController's selector. Null or empty is <see cref="Everything"/>. The pairs are not validated.
    /// </summary>
    public static LabelSelector FromSet(IDictionary<string, string>? labels)
    {
        if (labels is null || labels.Count == 0)
        {
            return Everything;
        }

        return new(labels.Select(pair => LabelRequirement.Unchecked(pair.Key, SelectorOperator.Equal, [pair.Value])), matchesNothing: false);
    }

    /// <summary>True when every requirement holds for <paramref name="labels"/> (null meaning no labels).</summary>
    public bool Matches(IDictionary<string, string>? labels)
    {
        if (_matchesNothing)
        {
            return false;
        }

        foreach (var requirement in _requirements)
        {
            if (!requirement.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when the selector pins label <paramref name="key"/> to a single value (<c>k=v</c>, <c>k==v</c> or
    /// <c>k in (v)</c>), which an index can look up directly.
    /// </summary>
    public bool TryGetExactMatch(string key, out string value)
    {
        foreach (var requirement in _requirements)
        {
            if (!string.Equals(requirement.Key, key, StringComparison.Ordinal))
            {
                continue;
            }

            if (requirement.Operator is SelectorOperator.Equal or SelectorOperator.DoubleEqual or SelectorOperator.In && requirement.Values.Count == 1)
            {
                value = requirement.Values[0];
                return true;
            }

            break;
        }

        value = string.Empty;
        return false;
    }

    /// <summary>The selector as Kubernetes prints it: requirements sorted by key, comma-separated; empty for Everything and Nothing.</summary>
    public override string ToString() => string.Join(",", _requirements.Select(r => r.ToString()));
}
