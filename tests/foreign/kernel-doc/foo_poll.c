// SPDX-License-Identifier: GPL-2.0
/*
 * Polling helpers for the foo controller.
 *
 * Copyright (C) 2024 Example Corp.
 * Author: Jane Doe <jane@example.com>
 */

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/regmap.h>
#include <linux/types.h>

#define FOO_STATUS		0x04
#define FOO_STATUS_IDLE		BIT(0)
#define FOO_CTRL		0x08

/**
 * struct foo_component - one block of the foo controller
 * @regmap: register map of the parent device
 * @base: offset of this block's registers
 * @control: cached value of the control register
 */
struct foo_component {
	struct regmap *regmap;
	unsigned int base;
	u32 control;
};

typedef bool (*foo_filter_t)(const struct foo_component *component);

/**
 * foo_wait_idle() - wait for a component to go idle
 * @component: pointer to the component
 * @test: may be NULL, meaning always true for the filter.
 * @control: the control register to program
 * @timeout_us: how long to wait, in microseconds
 *
 * Programs the control register, then polls the status register until the
 * component reports idle. If @control is zero the register is left alone.
 * If @test is given it must also return true before the wait ends. When
 * @control is set, further wait until the device reports idle.
 *
 * Context: Process context. May sleep.
 * Return: 0 on success, -ETIMEDOUT if the component never went idle, or
 * a negative error code from regmap.
 */
int foo_wait_idle(struct foo_component *component, foo_filter_t test,
		  u32 control, unsigned int timeout_us)
{
	unsigned int status;
	int ret;

	if (control) {
		ret = regmap_write(component->regmap, component->base + FOO_CTRL,
				   control);
		if (ret)
			return ret;
		component->control = control; /* keep @control for resume */
	}

	ret = regmap_read_poll_timeout(component->regmap,
				       component->base + FOO_STATUS, status,
				       status & FOO_STATUS_IDLE, 10, timeout_us);
	if (ret)
		return ret;

	if (test && !test(component))
		return -ETIMEDOUT;

	return 0;
}

/**
 * foo_resume() - restore a component after suspend
 * @component: the component to restore
 *
 * If @control is set, the value saved by foo_wait_idle() is written back;
 * otherwise the hardware default stays.
 *
 * Return: 0 or a negative error code.
 */
int foo_resume(struct foo_component *component)
{
	if (!component->control)
		return 0;

	return regmap_write(component->regmap, component->base + FOO_CTRL,
			    component->control);
}

/**
 * DOC: Theory of operation
 *
 * The @component pointer is owned by the caller. Parameters are described
 * with @name: lines, and referred to as @name in the body text.
 */
