namespace Cetus.Api.Selectors;

/// <summary>
/// A label or field selector that cannot be parsed or built. The message is worded as Kubernetes words it, so the API
/// server can return it as-is in a 400 BadRequest Status.
/// </summary>
public sealed class SelectorException : Exception
{
    /// <summary>Creates the exception with Kubernetes' message.</summary>
    public SelectorException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with no message of its own.</summary>
    public SelectorException()
    {
    }

    /// <summary>Creates the exception with a message and the error behind it.</summary>
    public SelectorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
