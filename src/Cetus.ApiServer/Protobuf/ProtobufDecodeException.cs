namespace Cetus.ApiServer.Protobuf;

/// <summary>
/// A Kubernetes protobuf body that cannot be decoded: no <c>k8s\0</c> envelope, a truncated or malformed message, or an
/// apiVersion/kind that Cetus has no schema for. kube-apiserver answers all of these with 400 Bad Request (the decode
/// error is wrapped by its create/update handlers); 415 is only for a Content-Type it does not accept at all.
/// </summary>
public sealed class ProtobufDecodeException : Exception
{
    /// <summary>Creates the exception; <paramref name="message"/> is shown to the client.</summary>
    public ProtobufDecodeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the parser error that caused it.</summary>
    public ProtobufDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The envelope's apiVersion, when the envelope could be read.</summary>
    public string? ApiVersion { get; init; }

    /// <summary>The envelope's kind, when the envelope could be read.</summary>
    public string? Kind { get; init; }
}
