namespace Cetus.Scheduler.Framework;

/// <summary>What a plugin's answer means for the pod (upstream framework.Code).</summary>
internal enum Code
{
    /// <summary>The plugin ran and the pod may go on.</summary>
    Success,

    /// <summary>A bug or an I/O failure: aborts the attempt and puts the pod into the backoff queue.</summary>
    Error,

    /// <summary>The pod does not fit this node now; preemption may help; the pod waits for a cluster event.</summary>
    Unschedulable,

    /// <summary>The pod does not fit this node and preemption would not change that.</summary>
    UnschedulableAndUnresolvable,

    /// <summary>Permit only: the pod waits, assumed, until the plugin (or another) allows or rejects it, or its timeout rejects it.</summary>
    Wait,

    /// <summary>The plugin has nothing to do for this pod; its later extension points are skipped in this cycle.</summary>
    Skip,

    /// <summary>PreEnqueue only: the pod stays out of the active queue until an event changes it.</summary>
    Pending,
}

/// <summary>A plugin's answer: a code, the reasons users see, and the plugin that gave it.</summary>
internal sealed class Status
{
    /// <summary>Success without a message (null also means success).</summary>
    public static readonly Status SuccessStatus = new(Code.Success);

    public Status(Code code, params string[] reasons)
    {
        Code = code;
        Reasons = reasons;
    }

    public Code Code { get; }

    public IReadOnlyList<string> Reasons { get; }

    /// <summary>The plugin that returned this status (set by the framework).</summary>
    public string Plugin { get; set; } = string.Empty;

    public bool IsSuccess => Code == Code.Success;

    public bool IsRejected => Code is Code.Unschedulable or Code.UnschedulableAndUnresolvable or Code.Pending;

    public string Message => string.Join(", ", Reasons);

    public static Status Error(string message) => new(Code.Error, message);

    public static Status Unschedulable(params string[] reasons) => new(Code.Unschedulable, reasons);

    public static Status Unresolvable(params string[] reasons) => new(Code.UnschedulableAndUnresolvable, reasons);

    public static Status Skip() => new(Code.Skip);

    public override string ToString() => $"{Code}: {Message}";
}
