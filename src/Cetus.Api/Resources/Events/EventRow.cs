using Cetus.Api.Resources.Printing;
using Cetus.Api.Scheme;
using k8s.Models;

namespace Cetus.Api.Resources.Events;

/// <summary>
/// The fields upstream's printEvent reads, in core Event terms. Both Event APIs print through it, since
/// kube-apiserver serves events.k8s.io Events from core Event storage and prints them after conversion.
/// </summary>
internal sealed record EventRow(
    string? Name,
    string? Type,
    string? Reason,
    V1ObjectReference? InvolvedObject,
    V1EventSource? Source,
    string? ReportingController,
    string? ReportingInstance,
    string? Message,
    DateTime? FirstTimestamp,
    DateTime? LastTimestamp,
    DateTime? EventTime,
    int? Count,
    bool HasSeries,
    int? SeriesCount,
    DateTime? SeriesLastObservedTime)
{
    /// <summary>Last Seen, Type, Reason, Object, Message, and wide: Subobject, Source, First Seen, Count, Name.</summary>
    public static IReadOnlyList<TableColumn> Columns { get; } =
    [
        Printing.Columns.Text("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
        Printing.Columns.Text("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
        Printing.Columns.Text("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        Printing.Columns.Text("Object", "The object that this event is about."),
        Printing.Columns.Text("Subobject", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.", priority: 1),
        Printing.Columns.Text("Source", "The component reporting this event. Should be a short machine understandable string.", priority: 1),
        Printing.Columns.Text("Message", "A human-readable description of the status of this operation."),
        Printing.Columns.Text("First Seen", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", priority: 1),
        // Upstream declares Count as a string; its cell is an integer.
        Printing.Columns.Text("Count", "The number of times this event has occurred.", priority: 1),
        Printing.Columns.Name(priority: 1),
    ];

    public object?[] Cells(DateTimeOffset now)
    {
        // Events of the new API carry eventTime and series instead of first/last timestamps and count.
        var firstSeen = IsSet(FirstTimestamp) ? HumanDuration.Since(FirstTimestamp, now) : HumanDuration.Since(EventTime, now);
        var lastSeen = IsSet(LastTimestamp) ? HumanDuration.Since(LastTimestamp, now) : firstSeen;
        var count = Count ?? 0;
        if (HasSeries)
        {
            lastSeen = HumanDuration.Since(SeriesLastObservedTime, now);
            count = SeriesCount ?? 0;
        }
        else if (count == 0)
        {
            count = 1;
        }

        var kind = (InvolvedObject?.Kind ?? string.Empty).ToLowerInvariant();
        var target = string.IsNullOrEmpty(InvolvedObject?.Name) ? kind : kind + "/" + InvolvedObject.Name;
        return
        [
            lastSeen,
            Type ?? string.Empty,
            Reason ?? string.Empty,
            target,
            InvolvedObject?.FieldPath ?? string.Empty,
            FormatSource(),
            (Message ?? string.Empty).Trim(),
            firstSeen,
            (long)count,
            Name,
        ];
    }

    // The old source fields win; the reporting fields of the new API fill in for them.
    private string FormatSource()
    {
        var component = FirstNonEmpty(Source?.Component, ReportingController);
        var instance = FirstNonEmpty(Source?.Host, ReportingInstance);
        return instance.Length == 0 ? component : component + ", " + instance;
    }

    private static string FirstNonEmpty(string? first, string? second) =>
        !string.IsNullOrEmpty(first) ? first : second ?? string.Empty;

    private static bool IsSet(DateTime? timestamp) => timestamp is { } value && value != DateTime.MinValue;
}
