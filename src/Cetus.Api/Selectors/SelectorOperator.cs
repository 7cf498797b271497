namespace Cetus.Api.Selectors;

/// <summary>How a requirement relates a key to its values, as Kubernetes' selection.Operator.</summary>
public enum SelectorOperator
{
    /// <summary><c>key=value</c>.</summary>
    Equal,

    /// <summary><c>key==value</c>: the same as <see cref="Equal"/>, kept apart so the selector prints back as written.</summary>
    DoubleEqual,

    /// <summary><c>key!=value</c>: also true when the key is absent.</summary>
    NotEqual,

    /// <summary><c>key in (a,b)</c>.</summary>
    In,

    /// <summary><c>key notin (a,b)</c>: also true when the key is absent.</summary>
    NotIn,

    /// <summary><c>key</c>: the key is present, whatever its value.</summary>
    Exists,

    /// <summary><c>!key</c>: the key is absent.</summary>
    DoesNotExist,

    /// <summary><c>key&gt;n</c>: the value is an integer greater than n.</summary>
    GreaterThan,

    /// <summary><c>key&lt;n</c>: the value is an integer less than n.</summary>
    LessThan,
}
