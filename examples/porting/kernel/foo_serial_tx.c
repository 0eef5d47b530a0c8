// SPDX-License-Identifier: MIT
/*
 * foo_serial_tx.c - the TX path of a made-up "foo" serial port, written in
 * kernel style for doc/porting.md: the "before" of a port. It uses the
 * kernel's dmaengine client API as a typical platform driver does (a named
 * slave channel, a slave config aimed at a FIFO register, one
 * prep_slave_single per message, a completion with a timeout). It needs a
 * kernel tree and is not built; ../foo_serial_tx.c is its userspace port.
 */
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>

#define FOO_TX_FIFO	0x40	/* TX FIFO register, offset in the port's window */
#define FOO_BUF_SIZE	4096

struct foo_port {
	struct device *dev;
	struct dma_chan *tx_chan;
	phys_addr_t fifo_addr;
	struct completion tx_done;
	int tx_result;
	char *buf;
};

/* Completion callback: the transfer is over (done or failed). */
static void foo_tx_complete(void *param, const struct dmaengine_result *res)
{
	struct foo_port *port = param;

	port->tx_result = res->result == DMA_TRANS_NOERROR ? 0 : -EIO;
	complete(&port->tx_done);
}

/* Send @len bytes of @data and wait for the DMA to have pushed them. */
static int foo_tx(struct foo_port *port, const void *data, size_t len)
{
	struct device *dma_dev = dmaengine_get_dma_device(port->tx_chan);
	struct dma_async_tx_descriptor *desc;
	dma_addr_t addr;
	int ret = 0;

	if (len > FOO_BUF_SIZE)
		return -EINVAL;
	memcpy(port->buf, data, len);
	addr = dma_map_single(dma_dev, port->buf, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dma_dev, addr))
		return -ENOMEM;
	desc = dmaengine_prep_slave_single(port->tx_chan, addr, len, DMA_MEM_TO_DEV,
					   DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!desc) {
		ret = -EBUSY;
		goto unmap;
	}
	desc->callback_result = foo_tx_complete;
	desc->callback_param = port;
	reinit_completion(&port->tx_done);
	if (dma_submit_error(dmaengine_submit(desc))) {
		ret = -EIO;
		goto unmap;
	}
	dma_async_issue_pending(port->tx_chan);
	if (!wait_for_completion_timeout(&port->tx_done, msecs_to_jiffies(1000))) {
		dev_err(port->dev, "tx timed out\n");
		dmaengine_terminate_sync(port->tx_chan);
		ret = -ETIMEDOUT;
	} else {
		ret = port->tx_result;
	}
unmap:
	dma_unmap_single(dma_dev, addr, len, DMA_TO_DEVICE);
	return ret;
}

static int foo_probe(struct platform_device *pdev)
{
	struct dma_slave_config cfg = { };
	struct foo_port *port;
	struct resource *res;
	int ret;

	port = devm_kzalloc(&pdev->dev, sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;
	port->buf = devm_kmalloc(&pdev->dev, FOO_BUF_SIZE, GFP_KERNEL);
	if (!port->buf)
		return -ENOMEM;
	port->dev = &pdev->dev;
	init_completion(&port->tx_done);

	res = platform_get_resource(pdev, IORESOURCE_MEM, 0);
	if (!res)
		return -ENODEV;
	port->fifo_addr = res->start + FOO_TX_FIFO;

	port->tx_chan = dma_request_chan(&pdev->dev, "tx");
	if (IS_ERR(port->tx_chan))
		return dev_err_probe(&pdev->dev, PTR_ERR(port->tx_chan), "no tx channel\n");

	cfg.direction = DMA_MEM_TO_DEV;
	cfg.dst_addr = port->fifo_addr;
	cfg.dst_addr_width = DMA_SLAVE_BUSWIDTH_1_BYTE;
	cfg.dst_maxburst = 8;
	ret = dmaengine_slave_config(port->tx_chan, &cfg);
	if (ret) {
		dma_release_channel(port->tx_chan);
		return ret;
	}
	platform_set_drvdata(pdev, port);
	return 0;
}

static void foo_remove(struct platform_device *pdev)
{
	struct foo_port *port = platform_get_drvdata(pdev);

	dmaengine_terminate_sync(port->tx_chan);
	dma_release_channel(port->tx_chan);
}

static const struct of_device_id foo_of_match[] = {
	{ .compatible = "acme,foo-serial" },
	{ }
};
MODULE_DEVICE_TABLE(of, foo_of_match);

static struct platform_driver foo_driver = {
	.probe = foo_probe,
	.remove = foo_remove,
	.driver = {
		.name = "foo-serial",
		.of_match_table = foo_of_match,
	},
};
module_platform_driver(foo_driver);
MODULE_LICENSE("Dual MIT/GPL");
