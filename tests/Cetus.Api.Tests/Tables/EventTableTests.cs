using Cetus.Api.Resources.Events;
using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Tables;

public sealed class EventTableTests
{
    [Fact]
    public void CoreEvent_ShowsTimesTargetAndSource()
    {
        var row = new TableRow(new EventTable(), new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "web-1.17f3a" },
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-1", FieldPath = "spec.containers{app}" },
            Type = "Warning",
            Reason = "BackOff",
            Message = "  Back-off restarting failed container\n",
            Source = new V1EventSource { Component = "kubelet", Host = "node-1" },
            FirstTimestamp = TableRow.Ago(TimeSpan.FromMinutes(12)),
            LastTimestamp = TableRow.Ago(TimeSpan.FromSeconds(30)),
            Count = 7,
        });

        Assert.Equal("30s", row["Last Seen"]);
        Assert.Equal("Warning", row["Type"]);
        Assert.Equal("BackOff", row["Reason"]);
        Assert.Equal("pod/web-1", row["Object"]);
        Assert.Equal("spec.containers{app}", row["Subobject"]);
        Assert.Equal("kubelet, node-1", row["Source"]);
        Assert.Equal("Back-off restarting failed container", row["Message"]);
        Assert.Equal("12m", row["First Seen"]);
        Assert.Equal(7L, row["Count"]);
        Assert.Equal("web-1.17f3a", row["Name"]);
    }

    [Fact]
    public void CoreEvent_OfNewApi_UsesEventTimeSeriesAndReportingController()
    {
        var row = new TableRow(new EventTable(), new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "e" },
            InvolvedObject = new V1ObjectReference { Kind = "Node" },
            EventTime = TableRow.Ago(TimeSpan.FromMinutes(3)),
            Series = new Corev1EventSeries { Count = 4, LastObservedTime = TableRow.Ago(TimeSpan.FromSeconds(5)) },
            ReportingComponent = "cetus-controller",
            ReportingInstance = "cetus-0",
        });

        Assert.Equal("5s", row["Last Seen"]);
        Assert.Equal("3m", row["First Seen"]);
        Assert.Equal(4L, row["Count"]);
        Assert.Equal("node", row["Object"]);
        Assert.Equal("cetus-controller, cetus-0", row["Source"]);
    }

    [Fact]
    public void CoreEvent_Singleton_CountsOneAndLastSeenIsFirstSeen()
    {
        var row = new TableRow(new EventTable(), new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = "e" },
            InvolvedObject = new V1ObjectReference { Kind = "Deployment", Name = "web" },
            EventTime = TableRow.Ago(TimeSpan.FromHours(2)),
            Source = new V1EventSource { Component = "deployment-controller" },
        });

        Assert.Equal(1L, row["Count"]);
        Assert.Equal("120m", row["Last Seen"]);
        Assert.Equal("120m", row["First Seen"]);
        Assert.Equal("deployment-controller", row["Source"]);
        Assert.Equal(string.Empty, row["Type"]);
    }

    [Fact]
    public void EventsV1Event_IsPrintedAsItsCoreConversion()
    {
        var row = new TableRow(new EventsV1EventTable(), new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "web.1" },
            EventTime = TableRow.Ago(TimeSpan.FromMinutes(1)),
            Regarding = new V1ObjectReference { Kind = "ReplicaSet", Name = "web-5d4f" },
            Note = "Created pod: web-5d4f-x2",
            Reason = "SuccessfulCreate",
            Type = "Normal",
            ReportingController = "replicaset-controller",
            DeprecatedSource = new V1EventSource { Host = "node-2" },
            DeprecatedCount = 2,
            DeprecatedFirstTimestamp = TableRow.Ago(TimeSpan.FromMinutes(9)),
            DeprecatedLastTimestamp = TableRow.Ago(TimeSpan.FromMinutes(2)),
        });

        Assert.Equal("2m", row["Last Seen"]);
        Assert.Equal("9m", row["First Seen"]);
        Assert.Equal("replicaset/web-5d4f", row["Object"]);
        Assert.Equal("Created pod: web-5d4f-x2", row["Message"]);
        Assert.Equal("replicaset-controller, node-2", row["Source"]);
        Assert.Equal(2L, row["Count"]);
        Assert.Equal("web.1", row["Name"]);
    }

    [Fact]
    public void Columns_AreKubernetesEventColumns_ForBothApis()
    {
        string[] names = ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"];
        int[] priorities = [0, 0, 0, 0, 1, 1, 0, 1, 1, 1];

        Assert.Equal(names, new EventTable().Columns.Select(c => c.Name));
        Assert.Equal(priorities, new EventTable().Columns.Select(c => c.Priority));
        Assert.Equal(names, new EventsV1EventTable().Columns.Select(c => c.Name));
        Assert.Equal("name", new EventTable().Columns[^1].Format);
    }
}
