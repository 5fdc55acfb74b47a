"""The Spidermon monitors every crawl runs when it closes.

Spidermon's own: item validation against the article's JSON Schema
(`crawler.article.ITEM_SCHEMA`, checked by `ArticleSchemaPipeline`), field coverage,
finish reason. Ours: `ExtractionHealthMonitor` judges this run's fill rates against
the baseline (`crawler.observe.extraction_health`), and `ExitStatusMonitor` fails with the
meaning of any status other than 0, so every report says why a run exits as it
does. The exit status itself is `crawler.observe.exitcodes.for_run`, which reads the
alerts the health monitor leaves in stats (`health/alerts`: exit 8).

Actions, each off until its settings are given (environment variables of the same
name work too, see `crawler.settings`): a file report (`SPIDERMON_REPORT_FILENAME`),
Slack (`SPIDERMON_SLACK_SENDER_TOKEN`, `SPIDERMON_SLACK_RECIPIENTS`), e-mail by SMTP
(`SPIDERMON_SMTP_HOST`, `SPIDERMON_EMAIL_TO`), Sentry (`SPIDERMON_SENTRY_DSN`).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from scrapy.exceptions import ScrapyDeprecationWarning
from spidermon import MonitorSuite, monitors
from spidermon.contrib.scrapy.extensions import Spidermon
from spidermon.contrib.scrapy.monitors import FieldCoverageMonitor, FinishReasonMonitor, ItemValidationMonitor
from spidermon.contrib.scrapy.monitors.base import BaseScrapyMonitor
from spidermon.contrib.scrapy.pipelines import ItemValidationPipeline
from spidermon.contrib.scrapy.runners import SpiderMonitorResult, SpiderMonitorRunner

from crawler.article import json_form
from crawler.observe import exitcodes
from crawler.observe.extraction_health import Baseline, FillRates, Thresholds, drift

logger = logging.getLogger(__name__)
# Spidermon 1.27 logs its results through Spider.log, which Scrapy 2.19 deprecates.
warnings.filterwarnings("ignore", r"Spider\.log\(\) is deprecated", ScrapyDeprecationWarning)


class ArticleSchemaPipeline(ItemValidationPipeline):
    """Spidermon's item validation on the item as JSON carries it (datetimes as ISO
    strings): it counts schema errors per field (`spidermon/validation/...`) and
    passes every item on; `pipelines.validate` decides what is dropped."""

    def process_item(self, item: dict[str, Any], spider: Any = None) -> dict[str, Any]:
        super().process_item(json_form(item), spider)
        return item


@monitors.name("Extraction health")
class ExtractionHealthMonitor(BaseScrapyMonitor):
    @monitors.name("Fill rates hold against the previous runs")
    def test_fill_rates_hold(self) -> None:
        stats = self.crawler.stats
        current = FillRates.from_rows(stats.get_value("health/fill_rates", []))
        baseline = stats.get_value("health/baseline") or Baseline(0, FillRates())
        alerts = drift(current, baseline, Thresholds.from_settings(self.crawler.settings))
        stats.set_value("health/alerts", [alert.document() for alert in alerts])
        for alert in alerts:
            logger.error("health: %s", alert.message)
        self.assertFalse(alerts, msg="; ".join(alert.message for alert in alerts))


@monitors.name("Exit status")
class ExitStatusMonitor(BaseScrapyMonitor):
    @monitors.name("The run exits 0")
    def test_exit_status(self) -> None:
        status = exitcodes.for_run(self.crawler.stats.get_stats(), self.crawler.settings)
        self.assertEqual(status, exitcodes.OK, msg=f"the run exits {status} ({exitcodes.name_of(status)})")


class CrawlMonitors(MonitorSuite):
    """The suite `SPIDERMON_SPIDER_CLOSE_MONITORS` names; the health monitor runs
    before the exit status one, which reads what it found."""

    monitors = [  # noqa: RUF012 (Spidermon's declarative API)
        ExtractionHealthMonitor,
        ItemValidationMonitor,
        FieldCoverageMonitor,
        FinishReasonMonitor,
        ExitStatusMonitor,
    ]

    def __init__(self, *args: Any, crawler: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, crawler=crawler, **kwargs)
        if crawler is not None:
            self.add_monitors_failed_actions(configured_actions(crawler.settings))


class OneLineMonitorResult(SpiderMonitorResult):
    """Spidermon's log of the results, with a failed monitor in one line (its
    message) instead of a traceback: the run's own log line already says why."""

    def write_errors(self) -> None:
        for status in self.step.error_statuses:
            for item in self.step.items_for_status(status):
                why = getattr(item, "reason", None) or str(item.error or "").strip().rsplit("\n", 1)[-1]
                self.log(f"{item.status} {item.item.name}: {why.splitlines()[0] if why else '?'}", logging.WARNING)


class OneLineMonitorRunner(SpiderMonitorRunner):
    def create_result(self) -> OneLineMonitorResult:
        return OneLineMonitorResult(self.spider)


class CrawlSpidermon(Spidermon):
    """Spidermon's extension, logging through `OneLineMonitorRunner`."""

    def _run_suites(self, spider: Any, suites: list[Any]) -> None:
        data = self._generate_data_for_spider(spider)
        for suite in suites:
            OneLineMonitorRunner(spider=spider).run(suite, **data)


def configured_actions(settings: Any) -> list[type]:
    """The notification actions whose settings are given; none by default."""
    actions: list[type] = []
    if settings.get("SPIDERMON_REPORT_FILENAME"):
        from spidermon.contrib.actions.reports.files import CreateFileReport

        actions.append(CreateFileReport)
    if settings.get("SPIDERMON_SLACK_SENDER_TOKEN"):
        from spidermon.contrib.actions.slack.notifiers import SendSlackMessageSpiderFinished

        actions.append(SendSlackMessageSpiderFinished)
    if settings.get("SPIDERMON_SMTP_HOST"):
        from spidermon.contrib.actions.email.smtp import SendSmtpEmail

        actions.append(SendSmtpEmail)
    if settings.get("SPIDERMON_SENTRY_DSN"):
        from spidermon.contrib.actions.sentry import SendSentryMessage

        actions.append(SendSentryMessage)
    return actions
