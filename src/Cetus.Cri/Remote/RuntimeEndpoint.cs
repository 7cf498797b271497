namespace Cetus.Cri.Remote;

/// <summary>Where the container runtime listens: <c>unix:///path</c> (as the kubelet's --container-runtime-endpoint) or a bare path.</summary>
public static class RuntimeEndpoint
{
    /// <summary>The socket of the containerd that <c>scripts/runtime.sh start</c> (and <c>./run.sh</c>) runs.</summary>
    public const string Default = "unix:///run/cetus/containerd/containerd.sock";

    /// <summary>The socket path of <paramref name="endpoint"/>.</summary>
    /// <exception cref="FormatException">Not a unix socket endpoint.</exception>
    public static string SocketPath(string endpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        if (endpoint.StartsWith("unix://", StringComparison.Ordinal))
        {
            endpoint = endpoint["unix://".Length..];
        }
        else if (endpoint.Contains("://", StringComparison.Ordinal))
        {
            throw new FormatException($"container runtime endpoint \"{endpoint}\" is not unix:///PATH (only unix sockets are supported)");
        }

        if (!endpoint.StartsWith('/'))
        {
            throw new FormatException($"container runtime endpoint \"{endpoint}\" is not an absolute socket path");
        }

        return endpoint;
    }

    /// <summary>What to tell a user whose runtime does not answer at <paramref name="socketPath"/>.</summary>
    public static string NotReachableHint(string socketPath) =>
        $"no container runtime answers at {socketPath}: start one with `scripts/runtime.sh start` (./run.sh does it), or pass --container-runtime-endpoint unix:///PATH of a running containerd";
}
