using Cetus.Testing;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.Node.Tests;

/// <summary>
/// A whole single-node cluster: the machine's containerd and one real <c>out/cetus up</c> (server, controllers,
/// scheduler and the local kubelet on that containerd), shared by the node scenarios.
/// </summary>
public sealed class NodeFixture : IAsyncLifetime
{
    /// <summary>The runtime.</summary>
    public Containerd Containerd { get; private set; } = null!;

    /// <summary>The <c>cetus up</c> process.</summary>
    public CetusServerProcess Cluster { get; private set; } = null!;

    /// <summary>A client with the admin kubeconfig.</summary>
    public Kubernetes Client { get; private set; } = null!;

    /// <summary>The node's name.</summary>
    /// <summary>The node's --container-log-max-size.</summary>
    public const string ContainerLogMaxSize = "256Ki";

    public string NodeName { get; } = "e2e-" + Guid.NewGuid().ToString("N")[..6];

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Containerd = await Containerd.StartAsync();
        // Small enough that a test fills a log past it in a second: rotation is part of what is tested.
        Cluster = await CetusServerProcess.StartUpAsync(Containerd.Endpoint, NodeName, arguments: ["--container-log-max-size", NodeFixture.ContainerLogMaxSize]);
        Client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(Cluster.Kubeconfig));
        await WaitForNodeReadyAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Waits until the node reports Ready.</summary>
    public async Task WaitForNodeReadyAsync(TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                var node = await Client.CoreV1.ReadNodeAsync(NodeName);
                if (node.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true)
                {
                    return;
                }
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
            }
            catch (HttpRequestException)
            {
                // The server is (re)starting.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"node {NodeName} not Ready in {patience}:\n{Cluster.Log}");
            }

            await Task.Delay(100);
        }
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        if (Containerd is not null)
        {
            await Containerd.DisposeAsync();
        }
    }
}

/// <summary>The collection of the node scenarios (one cluster, one test at a time).</summary>
[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<NodeFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "node";
}
