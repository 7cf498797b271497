using Cetus.Cri;
using Grpc.Core;

namespace Cetus.Kubelet.Node;

/// <summary>
/// Evaluates a real node's conditions at each status report: Ready from the runtime's CRI Status (RuntimeReady and
/// NetworkReady; "container runtime is down" when it does not answer), the pressures from the machine's signals
/// against the hard eviction thresholds.
/// </summary>
public sealed class NodeHealthProbe(IRuntimeService runtime, Func<ResourceSignals> signals, EvictionThresholds? thresholds = null)
{
    /// <summary>How long the runtime has to answer Status before it counts as down.</summary>
    public static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(10);

    private readonly EvictionThresholds _thresholds = thresholds ?? EvictionThresholds.Default;

    /// <summary>The node's health now.</summary>
    public async Task<NodeHealth> CheckAsync(CancellationToken cancellationToken)
    {
        string? notReady;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StatusTimeout);
        try
        {
            notReady = NodeHealth.RuntimeProblems(await runtime.StatusAsync(timeout.Token).ConfigureAwait(false));
        }
        catch (RpcException e)
        {
            notReady = $"container runtime is down: {e.Status.StatusCode}: {e.Status.Detail}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            notReady = $"container runtime is down: no answer to Status in {StatusTimeout.TotalSeconds:F0} s";
        }

        var (memory, disk, pid) = _thresholds.Evaluate(signals());
        return new NodeHealth(notReady, memory, disk, pid);
    }
}
