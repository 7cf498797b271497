using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Cetus.Commands;

/// <summary>Runs a command's requests with the client of an administrator's kubeconfig, turning failures into one clear line.</summary>
internal static class AdminClient
{
    /// <summary>0 when the action ran; 1 (with the reason on standard error) when the kubeconfig is missing or a request failed.</summary>
    public static async Task<int> RunAsync(string kubeconfig, TextWriter error, Func<Kubernetes, Task> action)
    {
        if (!File.Exists(kubeconfig))
        {
            await error.WriteLineAsync($"cetus: no kubeconfig at {kubeconfig}: pass --kubeconfig (cetus server writes DATA-DIR/admin.kubeconfig)").ConfigureAwait(false);
            return 1;
        }

        try
        {
            using var client = ControllerManagerCommand.CreateClient(kubeconfig);
            await action(client).ConfigureAwait(false);
            return 0;
        }
        catch (HttpOperationException e)
        {
            var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content is { Length: > 0 } content ? content : "{}");
            await error.WriteLineAsync($"cetus: {status?.Message ?? e.Message} ({(int)e.Response.StatusCode})").ConfigureAwait(false);
            return 1;
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"cetus: cannot reach the API server: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }

    /// <summary>GETs a path of the API server; a non-2xx answer is an <see cref="HttpOperationException"/> carrying its Status.</summary>
    public static async Task<byte[]> GetAsync(Kubernetes client, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(client.BaseUri, path));
        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        using var response = await client.HttpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpOperationException($"GET {path}: {(int)response.StatusCode}")
            {
                Request = new HttpRequestMessageWrapper(request, null),
                Response = new HttpResponseMessageWrapper(response, System.Text.Encoding.UTF8.GetString(body)),
            };
        }

        return body;
    }
}
