using Cetus.Scheduler.Framework;
using k8s.Models;

namespace Cetus.Scheduler.Plugins.DefaultBinder;

/// <summary>Binds the pod with POST pods/NAME/binding; the API server sets spec.nodeName and PodScheduled=True.</summary>
internal sealed class DefaultBinder(ISchedulerClient client) : IBindPlugin
{
    public const string PluginName = "DefaultBinder";

    public string Name => PluginName;

    public async Task<Status?> BindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        try
        {
            await client.BindAsync(pod, nodeName, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or TimeoutException)
        {
            var detail = e is k8s.Autorest.HttpOperationException http ? http.Response?.Content ?? http.Message : e.Message;
            return Status.Error($"binding rejected: {detail}");
        }
    }
}
