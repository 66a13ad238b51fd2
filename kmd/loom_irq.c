// SPDX-License-Identifier: MIT
/*
 * loom.ko: interrupts. The device raises channel 0's LOOM_IRQS_PER_CHANNEL
 * vectors (LOOM_IRQ_COMPLETION, _EVENT, _MAILBOX, _MONITOR) as the MSI-X
 * vectors of the same numbers. An interrupt carries no status of its own
 * (several may arrive as one), so each handler only wakes whoever re-reads
 * the state the interrupt is about: the mailbox waiter for LOOM_IRQ_MAILBOX
 * (in the hard handler), the interrupt thread for the others, which reads
 * the event queue and the completion queues and signals the jobs' fences
 * (fence callbacks of other drivers run there, not with interrupts off).
 */
#include <linux/interrupt.h>

#include "loom_cs.h"
#include "loom_events.h"
#include "loom_hw.h"

static const char * const loom_irq_names[LOOM_IRQS_PER_CHANNEL] = {
	[LOOM_IRQ_COMPLETION]	= "loom-completion",
	[LOOM_IRQ_EVENT]	= "loom-event",
	[LOOM_IRQ_MAILBOX]	= "loom-mailbox",
	[LOOM_IRQ_MONITOR]	= "loom-monitor",
};

static irqreturn_t loom_irq_handler(int irq, void *arg)
{
	struct loom_irq *li = arg;

	atomic64_inc(&li->count);
	if (li->vec == LOOM_IRQ_MAILBOX) {
		complete(&li->ldev->mbox_done);
		return IRQ_HANDLED;
	}
	return IRQ_WAKE_THREAD;
}

static irqreturn_t loom_irq_thread(int irq, void *arg)
{
	struct loom_irq *li = arg;
	struct loom_device *ldev = li->ldev;

	if (li->vec == LOOM_IRQ_EVENT) {
		loom_events_irq(ldev);
	} else if (li->vec == LOOM_IRQ_COMPLETION) {
		/*
		 * The device posts a job's fault event before its CQ entry, but
		 * the two vectors may be taken in either order: read the event
		 * queue first, so the event is in the file's list before the
		 * failed job's fence signals.
		 */
		loom_events_irq(ldev);
		loom_cs_irq(ldev);
	}
	loom_dbg(ldev, IRQ, "vector %u\n", li->vec);
	return IRQ_HANDLED;
}

int loom_irq_init(struct loom_device *ldev)
{
	struct pci_dev *pdev = ldev->pdev;
	unsigned int i;
	int ret;

	ret = pci_alloc_irq_vectors(pdev, LOOM_IRQS_PER_CHANNEL, LOOM_IRQS_PER_CHANNEL,
				    PCI_IRQ_MSIX);
	if (ret < 0) {
		dev_err(&pdev->dev, "cannot get %u MSI-X vectors (%d): the device must be ivshmem-doorbell with vectors=%u\n",
			LOOM_IRQS_PER_CHANNEL, ret, LOOM_IVSHMEM_VECTORS);
		return ret;
	}
	for (i = 0; i < LOOM_IRQS_PER_CHANNEL; i++) {
		ldev->irqs[i].ldev = ldev;
		ldev->irqs[i].vec = i;
		atomic64_set(&ldev->irqs[i].count, 0);
		ret = devm_request_threaded_irq(&pdev->dev, pci_irq_vector(pdev, i),
						loom_irq_handler, loom_irq_thread, 0,
						loom_irq_names[i], &ldev->irqs[i]);
		if (ret) {
			dev_err(&pdev->dev, "cannot request MSI-X vector %u: %d\n", i, ret);
			return ret;
		}
	}
	return 0;
}
