namespace Cetus.Scheduler.Framework;

/// <summary>Upstream helper.DefaultNormalizeScore: scales scores so that the highest becomes 100 (or, reversed, 0).</summary>
internal static class ScoreNormalizer
{
    public static void Normalize(Span<NodeScore> scores, bool reverse, long maxPriority = IScorePlugin.MaxNodeScore)
    {
        long max = 0;
        foreach (var score in scores)
        {
            max = Math.Max(max, score.Score);
        }

        foreach (ref var score in scores)
        {
            if (max == 0)
            {
                score.Score = reverse ? maxPriority : 0;
                continue;
            }

            score.Score = maxPriority * score.Score / max;
            if (reverse)
            {
                score.Score = maxPriority - score.Score;
            }
        }
    }
}
