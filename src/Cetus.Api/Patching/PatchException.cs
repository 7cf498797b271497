namespace Cetus.Api.Patching;

/// <summary>A patch that cannot be applied, worded as kube-apiserver words it.</summary>
public sealed class PatchException : Exception
{
    /// <summary>Creates the error.</summary>
    /// <param name="kind">Which HTTP answer kube-apiserver gives for it.</param>
    /// <param name="message">The error text, as upstream's patch libraries write it.</param>
    public PatchException(PatchErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    /// <summary>Which HTTP answer kube-apiserver gives for this failure.</summary>
    public PatchErrorKind Kind { get; }

    /// <summary>True when the patch document is malformed (400) rather than not applicable.</summary>
    public bool IsBadRequest => Kind == PatchErrorKind.BadRequest;

    /// <summary>The HTTP status code that goes with <see cref="Kind"/>.</summary>
    public int StatusCode => Kind switch
    {
        PatchErrorKind.BadRequest => 400,
        PatchErrorKind.Invalid => 422,
        PatchErrorKind.RequestEntityTooLarge => 413,
        _ => 500,
    };
}
