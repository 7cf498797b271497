using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Cetus.Kubelet.Pods;
using Cetus.Kubelet.Probes.Health;
using Grpc.Core;
using Grpc.Net.Client;

namespace Cetus.Kubelet.Probes;

/// <summary>
/// gRPC probes (Kubernetes' pkg/probe/grpc): one grpc.health.v1 Health/Check call in plaintext HTTP/2 to HOST:PORT
/// with the probe's service, within the timeout; SERVING succeeds, any other answer or error fails with upstream's
/// messages. A connection that cannot be made within the timeout reads as upstream's blocking dial timing out.
/// </summary>
internal static class GrpcProber
{
    /// <summary>Probes <paramref name="host"/>:<paramref name="port"/>.</summary>
    public static async Task<ActionResult> CheckAsync(string host, int port, string? service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var address = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
        address = string.Create(CultureInfo.InvariantCulture, $"{address}:{port}");
        var timeoutText = ContainerBackoff.GoDuration(timeout);
        var connected = false;
        var sockets = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = async (context, token) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token).ConfigureAwait(false);
                    connected = true;
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var channel = GrpcChannel.ForAddress("http://" + address, new GrpcChannelOptions
        {
            HttpHandler = new UserAgentHandler(sockets),
            DisposeHttpClient = true,
            Credentials = ChannelCredentials.Insecure,
        });
        try
        {
            var response = await new Health.Health.HealthClient(channel)
                .CheckAsync(new HealthCheckRequest { Service = service ?? string.Empty }, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken)
                .ResponseAsync.ConfigureAwait(false);
            if (response.Status != HealthCheckResponse.Types.ServingStatus.Serving)
            {
                var name = HealthCheckResponse.Descriptor.EnumTypes[0].FindValueByNumber((int)response.Status)?.Name ?? ((int)response.Status).ToString(CultureInfo.InvariantCulture);
                return new ActionResult(false, $"service unhealthy (responded with \"{name}\")");
            }

            return ActionResult.Ok;
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            if (!connected)
            {
                return new ActionResult(false, $"timeout: failed to connect service \"{address}\" within {timeoutText}: context deadline exceeded");
            }

            return e.StatusCode switch
            {
                StatusCode.Unimplemented => new ActionResult(false, $"this server doesn't implement the grpc health protocol (grpc.health.v1.Health): {e.Status.Detail}"),
                StatusCode.DeadlineExceeded => new ActionResult(false, $"timeout: health rpc did not complete within {timeoutText}"),
                _ => new ActionResult(false, $"error: health rpc probe failed: rpc error: code = {GoCode(e.StatusCode)} desc = {e.Status.Detail}"),
            };
        }
    }

    // grpc-go's names of the codes (the same as .NET's but for Canceled).
    private static string GoCode(StatusCode code) => code == StatusCode.Cancelled ? "Canceled" : code.ToString();

    /// <summary>Sends the probe's User-Agent (kube-probe/MAJOR.MINOR) instead of the client library's.</summary>
    private sealed class UserAgentHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.UserAgent.Clear();
            request.Headers.TryAddWithoutValidation("User-Agent", HandlerRunner.UserAgent);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
