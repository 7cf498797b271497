namespace Cetus.Controllers.GarbageCollector;

/// <summary>The item must be looked at again later (the queue's backoff applies).</summary>
internal sealed class RetryException(string message) : Exception(message);

/// <summary>The item can never be collected as it is; retrying would not help.</summary>
internal sealed class PermanentException(string message) : Exception(message);
