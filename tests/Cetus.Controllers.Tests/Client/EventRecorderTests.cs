using Cetus.Client.Events;
using k8s;
using k8s.Models;
using Xunit;

namespace Cetus.Controllers.Tests.Client;

/// <summary>The event recorder against an API server in this process: repeats are aggregated into one Event's count.</summary>
public sealed class EventRecorderTests(InProcessCluster cluster) : IClassFixture<InProcessCluster>
{
    private readonly ManualTime _time = new();

    [Fact]
    public async Task Repeats_BumpCountAndLastTimestamp_OfOneEvent_AndADifferentMessageIsANewEvent()
    {
        var deployment = new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "default", Uid = Guid.NewGuid().ToString() },
        };
        var first = _time.GetUtcNow().UtcDateTime;
        await using (var recorder = new EventRecorder(cluster.Client, "deployment-controller", _time))
        {
            recorder.Event(deployment, EventTypes.Normal, "ScalingReplicaSet", "Scaled up replica set web-1 from 0 to 3");
            await WaitForEventsAsync(1);
            _time.Advance(TimeSpan.FromSeconds(30));
            recorder.Event(deployment, EventTypes.Normal, "ScalingReplicaSet", "Scaled up replica set web-1 from 0 to 3");
            _time.Advance(TimeSpan.FromSeconds(30));
            recorder.Event(deployment, EventTypes.Normal, "ScalingReplicaSet", "Scaled up replica set web-1 from 0 to 3");
            recorder.Event(deployment, EventTypes.Normal, "ScalingReplicaSet", "Scaled down replica set web-1 from 3 to 0");
        }

        var events = (await cluster.Client.CoreV1.ListNamespacedEventAsync("default")).Items.OrderBy(e => e.Message, StringComparer.Ordinal).ToList();
        Assert.Equal(2, events.Count);
        var down = events[0];
        var up = events[1];
        Assert.Equal(("Scaled up replica set web-1 from 0 to 3", 3), (up.Message, up.Count));
        Assert.Equal(("Scaled down replica set web-1 from 3 to 0", 1), (down.Message, down.Count));
        Assert.Equal(first.AddTicks(-(first.Ticks % TimeSpan.TicksPerSecond)), up.FirstTimestamp);
        Assert.Equal(TimeSpan.FromSeconds(60), up.LastTimestamp - up.FirstTimestamp);
        Assert.Equal(("Deployment", "web", deployment.Metadata.Uid), (up.InvolvedObject.Kind, up.InvolvedObject.Name, up.InvolvedObject.Uid));
        Assert.Equal("deployment-controller", up.Source.Component);
    }

    [Fact]
    public async Task References_KeepTheirFieldPath_SameMessageOnTwoContainersIsTwoEvents_AndTheSourceNamesTheHost()
    {
        // Its own namespace: the other test counts the events of "default".
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "refs" } });
        var uid = Guid.NewGuid().ToString();
        V1ObjectReference Container(string name) => new() { ApiVersion = "v1", Kind = "Pod", Name = "ref-pod", NamespaceProperty = "refs", Uid = uid, FieldPath = $"spec.containers{{{name}}}" };
        await using (var recorder = new EventRecorder(cluster.Client, "kubelet", _time, host: "node-1"))
        {
            recorder.Event(Container("a"), EventTypes.Normal, "Pulled", "Container image \"nginx:1.27\" already present on machine");
            recorder.Event(Container("b"), EventTypes.Normal, "Pulled", "Container image \"nginx:1.27\" already present on machine");
            recorder.Event(Container("a"), EventTypes.Normal, "Pulled", "Container image \"nginx:1.27\" already present on machine");
        }

        var events = (await cluster.Client.CoreV1.ListNamespacedEventAsync("refs")).Items.OrderBy(e => e.InvolvedObject.FieldPath, StringComparer.Ordinal).ToList();
        Assert.Equal([("spec.containers{a}", 2), ("spec.containers{b}", 1)], events.Select(e => (e.InvolvedObject.FieldPath, e.Count ?? 0)));
        Assert.All(events, e => Assert.Equal(("kubelet", "node-1", "kubelet", "node-1"), (e.Source.Component, e.Source.Host, e.ReportingComponent, e.ReportingInstance)));
    }

    private async Task WaitForEventsAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await cluster.Client.CoreV1.ListNamespacedEventAsync("default")).Items.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, "the event was not written");
            await Task.Delay(20);
        }
    }
}
