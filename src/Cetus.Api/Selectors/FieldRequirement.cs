namespace Cetus.Api.Selectors;

/// <summary>
/// One term of a field selector: <paramref name="Field"/> compared with <paramref name="Value"/> (fields.Requirement).
/// </summary>
/// <param name="Field">The field path as written, e.g. <c>metadata.name</c>, <c>spec.nodeName</c>.</param>
/// <param name="Operator"><see cref="SelectorOperator.Equal"/> (for <c>=</c> and <c>==</c>) or <see cref="SelectorOperator.NotEqual"/>.</param>
/// <param name="Value">The value, unescaped.</param>
public sealed record FieldRequirement(string Field, SelectorOperator Operator, string Value)
{
    /// <summary>True when the field's value (empty when the field is absent, as in Kubernetes) satisfies the term.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var actual = fields.TryGetValue(Field, out var value) ? value : string.Empty;
        var equal = string.Equals(actual, Value, StringComparison.Ordinal);
        return Operator == SelectorOperator.NotEqual ? !equal : equal;
    }

    /// <summary>The term as Kubernetes prints it, with <c>\</c>, <c>,</c> and <c>=</c> in the value escaped.</summary>
    public override string ToString() =>
        Field + (Operator == SelectorOperator.NotEqual ? "!=" : "=") + FieldSelectorEscaping.Escape(Value);
}
