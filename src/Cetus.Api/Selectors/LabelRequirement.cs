using System.Globalization;
using System.Text;

namespace Cetus.Api.Selectors;

/// <summary>One term of a label selector: a key, an operator and the values it relates them to (labels.Requirement).</summary>
public sealed class LabelRequirement
{
    private readonly string[] _values;

    private LabelRequirement(string key, SelectorOperator op, string[] values)
    {
        Key = key;
        Operator = op;
        _values = values;
    }

    /// <summary>The label key.</summary>
    public string Key { get; }

    /// <summary>How the key relates to <see cref="Values"/>.</summary>
    public SelectorOperator Operator { get; }

    /// <summary>The values, in the order given (empty for <see cref="SelectorOperator.Exists"/> and <see cref="SelectorOperator.DoesNotExist"/>).</summary>
    public IReadOnlyList<string> Values => _values;

    /// <summary>
    /// A requirement, validated as labels.NewRequirement does: a valid key, one value for the equality operators, at
    /// least one for in/notin, none for exists, one integer for gt/lt, and valid label values.
    /// </summary>
    /// <exception cref="SelectorException">The requirement is invalid; the message is Kubernetes'.</exception>
    public static LabelRequirement Create(string key, SelectorOperator op, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(values);
        var array = values.ToArray();
        var errors = new List<string>();
        var keyErrors = LabelSyntax.KeyErrors(key);
        if (keyErrors.Count > 0)
        {
            errors.Add(GoErrorFormat.Invalid("key", GoErrorFormat.Quote(key), string.Join("; ", keyErrors)));
        }

        switch (op)
        {
            case SelectorOperator.In or SelectorOperator.NotIn when array.Length == 0:
                errors.Add(GoErrorFormat.Invalid("values", GoErrorFormat.StringSlice(array), "for 'in', 'notin' operators, values set can't be empty"));
                break;
            case SelectorOperator.Equal or SelectorOperator.DoubleEqual or SelectorOperator.NotEqual when array.Length != 1:
                errors.Add(GoErrorFormat.Invalid("values", GoErrorFormat.StringSlice(array), "exact-match compatibility requires one single value"));
                break;
            case SelectorOperator.Exists or SelectorOperator.DoesNotExist when array.Length != 0:
                errors.Add(GoErrorFormat.Invalid("values", GoErrorFormat.StringSlice(array), "values set must be empty for exists and does not exist"));
                break;
            case SelectorOperator.GreaterThan or SelectorOperator.LessThan:
                if (array.Length != 1)
                {
                    errors.Add(GoErrorFormat.Invalid("values", GoErrorFormat.StringSlice(array), "for 'Gt', 'Lt' operators, exactly one value is required"));
                }

                for (var i = 0; i < array.Length; i++)
                {
                    if (!TryParseInteger(array[i], out _))
                    {
                        errors.Add(GoErrorFormat.Invalid($"values[{i}]", GoErrorFormat.Quote(array[i]), "for 'Gt', 'Lt' operators, the value must be an integer"));
                    }
                }

                break;
        }

        for (var i = 0; i < array.Length; i++)
        {
            var valueErrors = LabelSyntax.ValueErrors(array[i]);
            if (valueErrors.Count > 0)
            {
                errors.Add(GoErrorFormat.Invalid($"values[{i}][{key}]", GoErrorFormat.Quote(array[i]), string.Join("; ", valueErrors)));
            }
        }

        if (errors.Count > 0)
        {
            throw new SelectorException(GoErrorFormat.Aggregate(errors));
        }

        return new LabelRequirement(key, op, array);
    }

    /// <summary>A requirement taken as valid, for selectors built from maps that upstream does not validate either.</summary>
    internal static LabelRequirement Unchecked(string key, SelectorOperator op, string[] values) => new(key, op, values);

    /// <summary>True when <paramref name="labels"/> (null meaning none) satisfy this requirement.</summary>
    public bool Matches(IDictionary<string, string>? labels)
    {
        string? value = null;
        var present = labels is not null && labels.TryGetValue(Key, out value);
        switch (Operator)
        {
            case SelectorOperator.In or SelectorOperator.Equal or SelectorOperator.DoubleEqual:
                return present && _values.Contains(value, StringComparer.Ordinal);
            case SelectorOperator.NotIn or SelectorOperator.NotEqual:
                return !present || !_values.Contains(value, StringComparer.Ordinal);
            case SelectorOperator.Exists:
                return present;
            case SelectorOperator.DoesNotExist:
                return !present;
            case SelectorOperator.GreaterThan or SelectorOperator.LessThan:
                if (!present || _values.Length != 1 || !TryParseInteger(value!, out var actual) || !TryParseInteger(_values[0], out var bound))
                {
                    return false;
                }

                return Operator == SelectorOperator.GreaterThan ? actual > bound : actual < bound;
            default:
                return false;
        }
    }

    /// <summary>The requirement as Kubernetes prints it: <c>a=b</c>, <c>a in (x,y)</c>, <c>!a</c>… (set values sorted).</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        if (Operator == SelectorOperator.DoesNotExist)
        {
            builder.Append('!');
        }

        builder.Append(Key);
        switch (Operator)
        {
            case SelectorOperator.Exists or SelectorOperator.DoesNotExist:
                return builder.ToString();
            case SelectorOperator.Equal: builder.Append('='); break;
            case SelectorOperator.DoubleEqual: builder.Append("=="); break;
            case SelectorOperator.NotEqual: builder.Append("!="); break;
            case SelectorOperator.GreaterThan: builder.Append('>'); break;
            case SelectorOperator.LessThan: builder.Append('<'); break;
            case SelectorOperator.In: builder.Append(" in ("); break;
            case SelectorOperator.NotIn: builder.Append(" notin ("); break;
        }

        builder.Append(_values.Length == 1 ? _values[0] : string.Join(",", _values.Order(StringComparer.Ordinal)));
        if (Operator is SelectorOperator.In or SelectorOperator.NotIn)
        {
            builder.Append(')');
        }

        return builder.ToString();
    }

    // strconv.ParseInt(s, 10, 64): an optional sign, then decimal digits only.
    private static bool TryParseInteger(string text, out long value) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
}
