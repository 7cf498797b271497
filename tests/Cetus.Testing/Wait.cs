namespace Cetus.Testing;

/// <summary>Waiting on a condition with a bounded deadline (never a fixed sleep).</summary>
public static class Wait
{
    /// <summary>Reads until <paramref name="done"/> holds (every 100 ms) and returns the value; times out after <paramref name="patience"/>.</summary>
    public static async Task<T> ForAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan patience)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out after {patience.TotalSeconds:F0} s waiting for {what}");
            }

            await Task.Delay(100);
        }
    }
}
