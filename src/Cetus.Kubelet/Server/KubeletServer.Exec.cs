using System.Net.WebSockets;
using Cetus.Cri.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Cetus.Kubelet.Server;

/// <summary>exec and attach: CRI Exec/Attach, then the client's WebSocket relayed to the runtime's stream server over SPDY.</summary>
public sealed partial class KubeletServer
{
    private async Task ExecAsync(HttpContext context, string podNamespace, string podName, string containerName, bool attach)
    {
        var query = context.Request.Query;
        var command = query["command"].Where(c => c is not null).Select(c => c!).ToList();
        var stdin = Flag(query, "stdin");
        var stdout = Flag(query, "stdout");
        var stderr = Flag(query, "stderr");
        var tty = Flag(query, "tty");
        if (!attach && command.Count == 0)
        {
            throw new KubeletRequestException(400, "BadRequest", "you must specify at least one command for the container");
        }

        if (!stdin && !stdout && !stderr)
        {
            throw new KubeletRequestException(400, "BadRequest", "you must specify at least one of stdin, stdout, stderr");
        }

        var found = await _pods.ContainerAsync(podNamespace, podName, containerName, context.RequestAborted).ConfigureAwait(false);
        if (found?.Container is not { } container)
        {
            throw new KubeletRequestException(404, "NotFound", $"container not found (\"{containerName}\") in pod {podNamespace}/{podName}");
        }

        if (container.State != ContainerState.ContainerRunning)
        {
            throw new KubeletRequestException(400, "BadRequest", $"container \"{containerName}\" in pod \"{podName}\" is not running");
        }

        // Checked after the container, so that kubectl, which retries over SPDY when the WebSocket is refused, shows
        // why the container cannot be reached rather than which protocol the kubelet speaks.
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new KubeletRequestException(400, "BadRequest", $"the kubelet streams {(attach ? "attach" : "exec")} over WebSocket ({string.Join(", ", WebSocketRelay.ClientProtocols)}); upgrade the request");
        }

        var protocol = WebSocketRelay.ClientProtocols.FirstOrDefault(p => context.WebSockets.WebSocketRequestedProtocols.Contains(p))
            ?? throw new KubeletRequestException(400, "BadRequest", $"none of the offered WebSocket subprotocols is supported; use one of {string.Join(", ", WebSocketRelay.ClientProtocols)}");
        var streaming = _streaming ?? throw new KubeletRequestException(501, "NotImplemented", "this node's container runtime has no stream server");

        string url;
        try
        {
            url = attach
                ? await streaming.AttachAsync(new AttachRequest { ContainerId = container.Id, Stdin = stdin, Stdout = stdout, Stderr = stderr && !tty, Tty = tty }, context.RequestAborted).ConfigureAwait(false)
                : await streaming.ExecAsync(new ExecRequest { ContainerId = container.Id, Cmd = { command }, Stdin = stdin, Stdout = stdout, Stderr = stderr && !tty, Tty = tty }, context.RequestAborted).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw new KubeletRequestException(e.StatusCode == StatusCode.NotFound ? 404 : 500, e.StatusCode == StatusCode.NotFound ? "NotFound" : "InternalError", $"the runtime refused {(attach ? "attach" : "exec")}: {e.Status.Detail}");
        }

        // Connected to the runtime before answering the client, so a failure is still an HTTP error it can read. SPDY,
        // not WebSocket v4, so that the client's end of stdin (v5's close signal) reaches the command.
        RuntimeExecConnection runtime;
        try
        {
            runtime = await RuntimeExecConnection.ConnectAsync(url, stdin, stdout, stderr, tty, _logger, context.RequestAborted).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new KubeletRequestException(500, "InternalError", $"cannot {(attach ? "attach to" : "exec in")} container \"{containerName}\" through the runtime's stream server: {e.Message}");
        }

        WebSocket client;
        try
        {
            client = await context.WebSockets.AcceptWebSocketAsync(protocol).ConfigureAwait(false);
        }
        catch
        {
            await runtime.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        using var disposeClient = client;
        await SpdyExecRelay.RunAsync(client, protocol, runtime, _logger, context.RequestAborted).ConfigureAwait(false);
    }

    private static bool Flag(IQueryCollection query, string name) =>
        query[name].LastOrDefault() is { } value && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));
}
