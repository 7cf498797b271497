using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Cetus.Cri.V1;
using Cetus.Kubelet.Streaming.PortForward;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Cetus.Kubelet.Server;

/// <summary>
/// /portForward: a SPDY/3.1 port-forward session — tunnelled in WebSocket binary messages (subprotocol
/// SPDY/3.1+portforward.k8s.io, kubectl's default) or raw after <c>Upgrade: SPDY/3.1</c> — whose every data stream is
/// relayed to the pod's port through CRI PortForward and the runtime's stream server.
/// </summary>
public sealed partial class KubeletServer
{
    private const string TunnelProtocol = "SPDY/3.1+portforward.k8s.io";
    private const string PortForwardProtocol = "portforward.k8s.io";
    private const string WebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private async Task PortForwardAsync(HttpContext context, string podNamespace, string podName)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var webSocket = context.WebSockets.IsWebSocketRequest;
        if (upgrade is not { IsUpgradableRequest: true })
        {
            throw new KubeletRequestException(400, "BadRequest", "Upgrade request required");
        }

        if (webSocket && !context.WebSockets.WebSocketRequestedProtocols.Contains(TunnelProtocol))
        {
            throw new KubeletRequestException(400, "BadRequest", $"port-forward over WebSocket takes the subprotocol {TunnelProtocol}");
        }

        if (!webSocket && !(context.Request.Headers.Upgrade.ToString().Contains("SPDY/3.1", StringComparison.OrdinalIgnoreCase)
            && context.Request.Headers["X-Stream-Protocol-Version"].ToString().Contains(PortForwardProtocol, StringComparison.Ordinal)))
        {
            throw new KubeletRequestException(400, "BadRequest", $"port-forward takes WebSocket ({TunnelProtocol}) or SPDY/3.1 with protocol {PortForwardProtocol}");
        }

        var streaming = _streaming ?? throw new KubeletRequestException(501, "NotImplemented", "this node's container runtime has no stream server");
        var sandbox = await _pods.SandboxAsync(podNamespace, podName, context.RequestAborted).ConfigureAwait(false)
            ?? throw new KubeletRequestException(404, "NotFound", $"pod \"{podName}\" in namespace \"{podNamespace}\" has no running sandbox on this node");
        var uid = await _pods.PodUidAsync(podNamespace, podName, context.RequestAborted).ConfigureAwait(false);

        async Task<Stream> ConnectAsync(int port, CancellationToken cancellationToken)
        {
            string url;
            try
            {
                url = await streaming.PortForwardAsync(new PortForwardRequest { PodSandboxId = sandbox, Port = { port } }, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                throw new IOException(e.Status.Detail, e);
            }

            return await RuntimePortStream.ConnectAsync(url, port, cancellationToken).ConfigureAwait(false);
        }

        Stream transport;
        if (webSocket)
        {
            // Answered by hand: .NET's WebSocket refuses '/' in a subprotocol, and this one has it.
            var key = context.Request.Headers["Sec-WebSocket-Key"].ToString();
            context.Response.Headers.Upgrade = "websocket";
            context.Response.Headers["Sec-WebSocket-Accept"] = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + WebSocketGuid)));
            context.Response.Headers["Sec-WebSocket-Protocol"] = TunnelProtocol;
            var opaque = await upgrade.UpgradeAsync().ConfigureAwait(false);
            var socket = WebSocket.CreateFromStream(opaque, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.FromSeconds(30) });
            transport = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true);
        }
        else
        {
            context.Response.Headers.Upgrade = "SPDY/3.1";
            context.Response.Headers["X-Stream-Protocol-Version"] = PortForwardProtocol;
            transport = await upgrade.UpgradeAsync().ConfigureAwait(false);
        }

        await using (transport.ConfigureAwait(false))
        {
            await PortForwardServer.ServeAsync(transport, ConnectAsync, new PortForwardOptions(podName, uid), _logger, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
