using k8s.Models;

namespace Cetus.ApiServer.Errors;

/// <summary>A request that fails with a Kubernetes Status: the handler throws it, the pipeline writes the Status.</summary>
public sealed class ApiException : Exception
{
    /// <summary>Creates the exception from the Status to send.</summary>
    public ApiException(V1Status status)
        : base(status.Message)
    {
        Status = status;
    }

    /// <summary>The Status body; its code is the HTTP status.</summary>
    public V1Status Status { get; }

    /// <summary>The HTTP status code.</summary>
    public int Code => Status.Code ?? 500;

    /// <summary>Seconds the client should wait before retrying (429, 504), if any.</summary>
    public int? RetryAfterSeconds { get; init; }
}
