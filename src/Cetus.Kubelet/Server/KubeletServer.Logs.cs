using Cetus.Kubelet.Logs;
using Microsoft.AspNetCore.Http;

namespace Cetus.Kubelet.Server;

/// <summary>/containerLogs: the container's CRI log file as plain text, followed while it runs when asked.</summary>
public sealed partial class KubeletServer
{
    private async Task LogsAsync(HttpContext context, string podNamespace, string podName, string containerName)
    {
        if (!PodLogOptions.TryParse(context.Request.QueryString.Value, _time, out var options, out var error))
        {
            throw new KubeletRequestException(400, "BadRequest", error);
        }

        var uid = await _pods.PodUidAsync(podNamespace, podName, context.RequestAborted).ConfigureAwait(false)
            ?? throw new KubeletRequestException(404, "NotFound", $"pod \"{podName}\" in namespace \"{podNamespace}\" has no sandbox on this node");
        var location = await ContainerLogLocator.FindAsync(_runtime, uid, podName, containerName, options.Previous, context.RequestAborted).ConfigureAwait(false);
        if (location is not { Path: { } path, ContainerId: { } containerId })
        {
            throw new KubeletRequestException(400, "BadRequest", location.Error ?? $"container \"{containerName}\" in pod \"{podName}\" has no log");
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        try
        {
            await ContainerLogReader.ReadAsync(path, options, context.Response.Body, ContainerLogLocator.IsRunning(_runtime, containerId), _time, context.RequestAborted).ConfigureAwait(false);
        }
        catch (FileNotFoundException) when (!context.Response.HasStarted)
        {
            throw new KubeletRequestException(404, "NotFound", $"the log of container \"{containerName}\" in pod \"{podName}\" is gone ({path})");
        }
    }
}
