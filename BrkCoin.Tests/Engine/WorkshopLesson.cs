namespace BrkCoin.Tests.Engine;

/// <summary>
/// The workshop's lesson in figures a slow machine cannot break. Shared cores only ever slow
/// mining down, so a ceiling holds however loaded the machine is, and so does the ratio of two
/// speeds measured on it one after the other; bands around the model's 10 and 30 did not (a
/// fault-injection run beside them once pulled ten workers down to 9.03 hashes/s).
/// </summary>
public static class WorkshopLesson
{
    public static void AssertRngIsTheBottleneckAndMoreRngLiftIt(string where, double stalled, double lifted)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{where}: 10 workers, 1 rng: {stalled:F2} hashes/s (model 10); 3 rng: {lifted:F2} hashes/s (model 30); {lifted / stalled:F2} times");

        // Ten workers alone would mine 33 hashes/s (0.3 s a unit each); one rng serves one draw
        // at a time, 0.1 s each: no more than 10 a second get through, on any machine.
        Assert.True(stalled is > 0 and <= 11.0, $"10 workers with 1 rng mined {stalled:F2} hashes/s; rng's cap allows 10");
        // Nor does anything mine faster than ten workers' own pace.
        Assert.True(lifted <= 34.0, $"10 workers with 3 rng mined {lifted:F2} hashes/s; ten workers cannot pass 33");
        // Three rng lift the ceiling: at least twice what one allowed (the model says three times).
        Assert.True(lifted >= 2 * stalled, $"3 rng lifted 10 workers from {stalled:F2} to only {lifted:F2} hashes/s");
    }
}
