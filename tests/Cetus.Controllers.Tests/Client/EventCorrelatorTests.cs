using Cetus.Client.Events;
using k8s.Models;
using Xunit;

namespace Cetus.Controllers.Tests.Client;

/// <summary>client-go's event correlation: counting repeats, combining similar events, and the per-object spam filter.</summary>
public sealed class EventCorrelatorTests
{
    private static readonly V1ObjectReference ReplicaSet = new() { ApiVersion = "apps/v1", Kind = "ReplicaSet", Name = "web-abc", NamespaceProperty = "default", Uid = "u1" };
    private readonly ManualTime _time = new();

    [Fact]
    public void TheSameEventAgain_IsANewCountOfTheWrittenOne()
    {
        var correlator = new EventCorrelator(_time);
        var first = correlator.Correlate("kubelet", "node-1", ReplicaSet, "Normal", "Pulled", "already present");
        Assert.Equal((null, 1, false), (first.ExistingName, first.Count, first.Skip));
        correlator.Written(first.Key, "web-abc.1");

        var second = correlator.Correlate("kubelet", "node-1", ReplicaSet, "Normal", "Pulled", "already present");
        Assert.Equal(("web-abc.1", 2, "already present"), (second.ExistingName, second.Count, second.Message));

        // Another host is another source: a new event.
        Assert.Null(correlator.Correlate("kubelet", "node-2", ReplicaSet, "Normal", "Pulled", "already present").ExistingName);
    }

    [Fact]
    public void TheTenthDistinctMessage_StartsOneCombinedEvent_WhoseCountGrows()
    {
        var correlator = new EventCorrelator(_time);
        var results = Enumerable.Range(1, 14).Select(i =>
        {
            var c = correlator.Correlate("replicaset-controller", null, ReplicaSet, "Normal", "SuccessfulCreate", $"Created pod: web-abc-{i}");
            if (c.ExistingName is null)
            {
                correlator.Written(c.Key, $"event-{i}");
            }

            return c;
        }).ToList();

        // Nine plain events, then the combined one: new at the 10th, counted from then on.
        Assert.All(results.Take(9), c => Assert.Null(c.ExistingName));
        Assert.Equal(("(combined from similar events): Created pod: web-abc-10", null, 1), (results[9].Message, results[9].ExistingName, results[9].Count));
        Assert.Equal(("(combined from similar events): Created pod: web-abc-14", "event-10", 5), (results[13].Message, results[13].ExistingName, results[13].Count));

        // Ten minutes of quiet and the messages stand alone again.
        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal("Created pod: web-abc-15", correlator.Correlate("replicaset-controller", null, ReplicaSet, "Normal", "SuccessfulCreate", "Created pod: web-abc-15").Message);
    }

    [Fact]
    public void ASourceWrites25EventsAboutAnObject_ThenOneEveryFiveMinutes()
    {
        var correlator = new EventCorrelator(_time);
        var skipped = Enumerable.Range(0, 40).Select(i => correlator.Correlate("scheduler", null, ReplicaSet, "Warning", "Reason" + i, "m").Skip).ToList();
        Assert.Equal(Enumerable.Repeat(false, 25).Concat(Enumerable.Repeat(true, 15)), skipped);

        // Another object has its own budget.
        Assert.False(correlator.Correlate("scheduler", null, new V1ObjectReference { Kind = "Pod", Name = "p", Uid = "u2" }, "Warning", "X", "m").Skip);

        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.True(correlator.Correlate("scheduler", null, ReplicaSet, "Warning", "Late", "m").Skip);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(correlator.Correlate("scheduler", null, ReplicaSet, "Warning", "Late", "m").Skip);
        Assert.True(correlator.Correlate("scheduler", null, ReplicaSet, "Warning", "Late", "m").Skip);
    }

    [Fact]
    public void DroppedRepeats_StillCount_AndAForgottenEventStartsOver()
    {
        var correlator = new EventCorrelator(_time);
        for (var i = 0; i < 25; i++)
        {
            correlator.Correlate("kubelet", null, ReplicaSet, "Warning", "Other" + (i % 5), "m");
        }

        var dropped = correlator.Correlate("kubelet", null, ReplicaSet, "Warning", "BackOff", "Back-off restarting");
        Assert.True(dropped.Skip);
        _time.Advance(EventCorrelator.SpamRefill);
        var written = correlator.Correlate("kubelet", null, ReplicaSet, "Warning", "BackOff", "Back-off restarting");
        Assert.Equal((false, 2), (written.Skip, written.Count));

        correlator.Written(written.Key, "e1");
        correlator.Forget(written.Key);
        Assert.Null(correlator.Correlate("kubelet", null, ReplicaSet, "Warning", "BackOff", "Back-off restarting").ExistingName);
    }
}
