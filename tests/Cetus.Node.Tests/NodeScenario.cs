using System.Net.Http;
using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.Node.Tests;

/// <summary>
/// What the scenarios on the real node share: a namespace of their own (deleted afterwards), kubectl against the
/// cluster, and bounded waits for pods and for HTTP answers from pod IPs.
/// </summary>
public abstract class NodeScenario(NodeFixture fixture) : IAsyncLifetime
{
    private protected static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private protected readonly string _ns = "node-" + Guid.NewGuid().ToString("N")[..8];

    private protected NodeFixture Node { get; } = fixture;

    public async Task InitializeAsync() => await KubectlAsync("create", "namespace", _ns);

    public async Task DisposeAsync() => await Kubectl.RunAsync(Node.Cluster.Kubeconfig, "delete", "namespace", _ns, "--wait=false");

    private protected static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private protected async Task KubectlAsync(params string[] args)
    {
        var result = await Kubectl.RunAsync(Node.Cluster.Kubeconfig, args);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', args)}: {result}");
    }

    private protected async Task ApplyAsync(string yaml)
    {
        var result = await Kubectl.RunWithInputAsync(Node.Cluster.Kubeconfig, yaml, "apply", "-f", "-");
        Assert.True(result.ExitCode == 0, $"kubectl apply: {result}");
    }

    private protected async Task<V1Pod> WaitForPodAsync(string name, Func<V1Pod, bool> condition, TimeSpan patience)
    {
        V1Pod? last = null;
        try
        {
            return await WaitAsync(
                async () =>
                {
                    try
                    {
                        last = await Node.Client.CoreV1.ReadNamespacedPodAsync(name, _ns);
                    }
                    catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
                    {
                        return null;
                    }

                    return condition(last) ? last : null;
                },
                $"pod {_ns}/{name} meets the condition",
                patience);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last seen status: {KubernetesJson.Serialize(last?.Status)}\n--- cetus up log (tail) ---\n{Tail(Node.Cluster.Log)}", e);
        }
    }

    private protected async Task<IList<V1Pod>> WaitForReadyPodsAsync(string labelSelector, int count, TimeSpan patience) =>
        await WaitAsync(
            async () =>
            {
                var list = await Node.Client.CoreV1.ListNamespacedPodAsync(_ns, labelSelector: labelSelector);
                return list.Items.Count == count && list.Items.All(IsReady) ? list.Items : null;
            },
            $"{count} Ready pods {labelSelector}",
            patience);

    private protected static async Task<string> GetTextAsync(string ip, string path, TimeSpan patience) =>
        await WaitAsync(
            async () =>
            {
                try
                {
                    return await Http.GetStringAsync($"http://{ip}:8080{path}");
                }
                catch (HttpRequestException)
                {
                    return null;
                }
                catch (TaskCanceledException)
                {
                    return null;
                }
            },
            $"http://{ip}:8080{path} answers",
            patience);

    private protected static async Task<T> WaitAsync<T>(Func<Task<T?>> condition, string what, TimeSpan patience)
        where T : class =>
        (await Wait.ForAsync(condition, value => value is not null, what, patience))!;

    private protected static string Tail(string log) => string.Join('\n', log.Split('\n').TakeLast(40));
}
