using BrkCoin.WebUi.Dashboard;
using BrkCoin.WebUi.Workshop;

namespace BrkCoin.WebUi.Lesson;

/// <summary>
/// Watches the miner's shape once a second and marks each change on the chart: in run mode from
/// what the workshop's commands set (the live settings), in any deployment from what the page sees
/// itself, the number of workers reporting, once it has held for a few seconds.
/// </summary>
public sealed class LessonNarrator(IMinerFeed feed, WorkshopView workshop, LessonMarkStore store, TimeProvider clock, ILogger<LessonNarrator> logger)
    : BackgroundService, ILessonMarks
{
    /// <summary>
    /// Samples a worker count must hold before it is marked: scaling 1 → 10 starts replicas over
    /// a few seconds and a stopped one leaves the live set up to 15 s later, and the chart should
    /// say "10 workers" once, not 3, 7 and 10.
    /// </summary>
    public const int SettledSamples = 5;

    private readonly Queue<int> _workerCounts = new();
    private DateTimeOffset? _lastSample;
    private bool _failing;

    public IReadOnlyList<LessonMark> Marks { get; private set; } = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await ObserveOnceAsync();
        }
    }

    /// <summary>Takes the latest dashboard's shape, records it, and reads the marks back.</summary>
    public async Task ObserveOnceAsync()
    {
        var dashboard = feed.Current;
        if (!dashboard.WalletReachable || dashboard.SampledAt is not { } at || at == _lastSample)
        {
            return;
        }

        _lastSample = at;
        try
        {
            Marks = await store.RecordAsync(ShapeOf(dashboard), at);
            _failing = false;
        }
        // The marks only label the chart: without them the page still shows every figure. Said
        // once when it starts failing, not every second.
        catch (Exception ex)
        {
            if (!_failing)
            {
                logger.LogWarning(ex, "The chart's marks could not be read or written");
            }

            _failing = true;
        }
    }

    private LessonShape? ShapeOf(MinerDashboard dashboard)
    {
        if (workshop.Current is { } settings)
        {
            return LessonShape.FromWorkshop(settings);
        }

        _workerCounts.Enqueue(dashboard.Workers.Count);
        while (_workerCounts.Count > SettledSamples)
        {
            _workerCounts.Dequeue();
        }

        // No worker at all is a stopped miner, not a step of a lesson.
        return _workerCounts.Count == SettledSamples && _workerCounts.Distinct().Count() == 1 && _workerCounts.Peek() > 0
            ? LessonShape.FromLiveWorkers(_workerCounts.Peek())
            : null;
    }
}
