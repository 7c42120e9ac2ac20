// Draws every chart on the page from the ECharts options in its
// data-echarts-option attribute. The options are JSON made by the server;
// nothing here is inline, so the Content-Security-Policy can forbid inline
// script. Without JavaScript the tables beside the charts carry the figures.
(function () {
  'use strict'
  if (typeof window.echarts === 'undefined') return

  // An axis whose axisLabel has "levels" (value to name, from the
  // survey's scale) labels its ticks with the levels' names: ECharts
  // takes a function for that, which JSON cannot carry.
  function nameLevels (axes) {
    [].concat(axes || []).forEach(function (axis) {
      var label = axis && axis.axisLabel
      if (!label || !label.levels) return
      var levels = label.levels
      label.formatter = function (value) {
        return Object.prototype.hasOwnProperty.call(levels, String(value)) ? levels[String(value)] : ''
      }
    })
  }

  var charts = []
  document.querySelectorAll('[data-echarts-option]').forEach(function (el) {
    var option = JSON.parse(el.dataset.echartsOption)
    var base = option.baseOption || option
    nameLevels(base.xAxis)
    nameLevels(base.yAxis)
    var chart = window.echarts.init(el, null, { renderer: 'svg' })
    chart.setOption(option)
    charts.push(chart)
  })
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.resize() })
  })
})()
