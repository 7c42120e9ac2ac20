// Draws every chart on the page from the ECharts options in its
// data-echarts-option attribute. The options are JSON made by the server;
// nothing here is inline, so the Content-Security-Policy can forbid inline
// script. Without JavaScript the tables beside the charts carry the figures.
(function () {
  'use strict'
  if (typeof window.echarts === 'undefined') return
  var charts = []
  document.querySelectorAll('[data-echarts-option]').forEach(function (el) {
    var chart = window.echarts.init(el, null, { renderer: 'svg' })
    chart.setOption(JSON.parse(el.dataset.echartsOption))
    charts.push(chart)
  })
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.resize() })
  })
})()
