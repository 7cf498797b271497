using k8s.Models;
using Xunit;

namespace Cetus.Api.Tests.Resources.EventsV1;

public sealed class EventStrategyTests
{
    private static readonly DateTime Now = new(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Create_AcceptsAModernEvent()
    {
        Assert.Empty(StrategyRun.Create(Valid()));
    }

    public static TheoryData<string, string> Rejected => new()
    {
        { "no eventTime", "eventTime: Required value" },
        { "unknown type", "type: Invalid value: \"\": has invalid value: Info" },
        { "deprecated count", "count: Invalid value: \"\": needs to be unset" },
        { "deprecated source", "source: Invalid value: \"\": needs to be unset" },
        { "short series", "series.count: Invalid value: \"\": should be at least 2" },
        { "series without time", "series.lastObservedTime: Required value" },
        { "note too long", "message: Invalid value: \"\": can have at most 1024 characters" },
        { "bad controller", "reportingController: Invalid value: \"-kubelet\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')" },
        { "bad name", "metadata.name: Invalid value: \"Web.1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" },
        { "cluster object in an app namespace", "involvedObject.namespace: Invalid value: \"\": does not match event.namespace" },
    };

    private static readonly Dictionary<string, Action<Eventsv1Event>> Edits = new()
    {
        ["no eventTime"] = e => e.EventTime = null,
        ["unknown type"] = e => e.Type = "Info",
        ["deprecated count"] = e => e.DeprecatedCount = 3,
        ["deprecated source"] = e => e.DeprecatedSource = new V1EventSource { Component = "kubelet" },
        ["short series"] = e => e.Series = new Eventsv1EventSeries { Count = 1, LastObservedTime = Now },
        ["series without time"] = e => e.Series = new Eventsv1EventSeries { Count = 2 },
        ["note too long"] = e => e.Note = new string('n', 1025),
        ["bad controller"] = e => e.ReportingController = "-kubelet",
        ["bad name"] = e => e.Metadata.Name = "Web.1",
        ["cluster object in an app namespace"] = e => (e.Metadata.NamespaceProperty, e.Regarding) = ("shop", new V1ObjectReference { Kind = "Node", Name = "node-1" }),
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Create_RejectsWithUpstreamMessage(string name, string message)
    {
        Assert.Contains(message, StrategyRun.Create(Valid(Edits[name])));
    }

    [Fact]
    public void Update_WhatTheEventSaysIsImmutable_ItsSeriesIsNot()
    {
        var old = StrategyRun.Created(Valid());
        var recurring = StrategyRun.Copy(old);
        recurring.Series = new Eventsv1EventSeries { Count = 2, LastObservedTime = Now.AddMinutes(1) };
        var rewritten = StrategyRun.Copy(old);
        rewritten.Note = "something else";
        rewritten.Reason = "Pulled";
        rewritten.Regarding.Name = "db";

        Assert.Empty(StrategyRun.Update(recurring, old));
        Assert.Equal(
            [
                "involvedObject: Invalid value: core.ObjectReference{Kind:\"Pod\", Namespace:\"default\", Name:\"db\", UID:\"\", APIVersion:\"v1\", ResourceVersion:\"\", FieldPath:\"\"}: field is immutable",
                "reason: Invalid value: \"Pulled\": field is immutable",
                "message: Invalid value: \"something else\": field is immutable",
            ],
            StrategyRun.Update(rewritten, old));
    }

    [Fact]
    public void SelectableFields_UseTheEventsV1Names()
    {
        var fields = StrategyRun.For<Eventsv1Event>().SelectableFields(Valid());

        Assert.Equal(("Pod", "web", "kubelet", "kubelet", "Normal"), (fields["regarding.kind"], fields["regarding.name"], fields["reportingController"], fields["source"], fields["type"]));
        Assert.False(fields.ContainsKey("involvedObject.kind"));
    }

    private static Eventsv1Event Valid(Action<Eventsv1Event>? edit = null)
    {
        var ev = new Eventsv1Event
        {
            Metadata = Meta.Named("web.1"),
            EventTime = Now,
            Regarding = new V1ObjectReference { Kind = "Pod", NamespaceProperty = "default", Name = "web", ApiVersion = "v1" },
            Reason = "Pulling",
            Note = "Pulling image \"nginx\"",
            Type = "Normal",
            Action = "Pull",
            ReportingController = "kubelet",
            ReportingInstance = "kubelet-node-1",
        };
        edit?.Invoke(ev);
        return ev;
    }
}
